import Foundation
import OMSClient
import Testing

/// The README's SDK example, statement for statement (only the address and
/// the token file come from the in-process daemon), so it cannot rot.
@Suite("README example")
struct ReadmeExampleTests {
    @Test("the SDK example in README.md compiles and runs")
    func readmeExample() async throws {
        let omsd = try await InProcessDaemon.start()
        do {
            let token = try String(contentsOfFile: omsd.daemon.adminTokenPath, encoding: .utf8)
            let client = try OMSClient(address: omsd.address, token: token)
            let (mug, _) = try await client.catalog.upsertProduct(
                .with {
                    $0.sku = "MUG-350"
                    $0.name = "Blue mug 350 ml"
                    $0.unitPrice = .with {
                        $0.currencyCode = "USD"
                        $0.amountMinor = 1250
                    }
                })
            #expect(mug.version == 1)
            #expect(try await client.catalog.product(sku: "MUG-350").name == "Blue mug 350 ml")
            for try await event in client.events.watch(after: 0) {
                #expect(event.sequence == 1 && event.type == "product.created")
                break
            }
            await client.close()
        } catch {
            await omsd.stop()
            throw error
        }
        await omsd.stop()
    }
}
