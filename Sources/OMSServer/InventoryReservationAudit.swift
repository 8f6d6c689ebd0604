import Logging
import OMSCore

/// The periodic side of the reservation reconciler: hourly (and at start)
/// it checks reserved == open reservations from a snapshot and logs a
/// warning naming every difference. It never repairs on its own; repair is
/// explicit (`ReconcileReservations{repair: true}`, `omsctl stock reconcile
/// --repair`).
final class InventoryReservationAudit: Sendable {
    private let periodic: PeriodicTask

    init(inventory: Inventory, interval: Duration = .seconds(3600), logger: Logger) {
        periodic = PeriodicTask(name: "reservation reconciler", interval: interval, logger: logger) {
            let report = try inventory.reservationReport()
            for orphan in report.orphans {
                logger.warning(
                    "orphan reservation",
                    metadata: [
                        "order_id": "\(orphan.orderID)", "sku": "\(orphan.sku)", "warehouse": "\(orphan.warehouseCode)",
                        "quantity": "\(orphan.quantity)", "why": "\(orphan.why)",
                    ])
            }
            for mismatch in report.mismatches {
                logger.warning(
                    "reserved differs from open reservations",
                    metadata: [
                        "sku": "\(mismatch.sku)", "warehouse": "\(mismatch.warehouseCode)",
                        "reserved": "\(mismatch.reserved)", "open": "\(mismatch.openReservations)",
                    ])
            }
        }
    }

    func start() { periodic.start() }

    func stop() async { await periodic.stop() }
}
