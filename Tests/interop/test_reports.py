"""ReportService through a stock grpcio client: SalesReport, and ExportReport
read back by independent readers: Python's csv module for CSV and openpyxl
for XLSX, compared cell for cell (values and types) with SalesReport."""

import csv
import datetime
import io

import grpc
import openpyxl
import pytest

from omsd_harness import RPC_TIMEOUT, status_details, unpack_details

# Channels are printable ASCII without spaces: these need CSV quoting and XML escaping.
CHANNELS = ['web', 'we,b"<&>', "phone'"]


@pytest.fixture
def seeded(omsd_factory, stubs):
    """A fresh omsd with orders in two currencies over three channels, one cancelled."""
    server = omsd_factory.start()
    channel = grpc.insecure_channel(server.address)
    auth = (("authorization", f"Bearer {server.token}"),)
    catalog = stubs.catalog_pb2_grpc.CatalogServiceStub(channel)
    inventory = stubs.inventory_pb2_grpc.InventoryServiceStub(channel)
    orders = stubs.orders_pb2_grpc.OrderServiceStub(channel)
    money = stubs.common_pb2.Money
    catalog.UpsertProduct(
        stubs.catalog_pb2.UpsertProductRequest(
            product=stubs.catalog_pb2.Product(sku="XL-1", name="Lamp", unit_price=money(currency_code="USD", amount_minor=1234))
        ),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    inv = stubs.inventory_pb2
    inventory.CreateWarehouse(
        inv.CreateWarehouseRequest(warehouse=inv.Warehouse(code="DC", name="DC", priority=1)), metadata=auth, timeout=RPC_TIMEOUT
    )
    inventory.AdjustStock(
        inv.AdjustStockRequest(request_id="adj-1", warehouse_code="DC", sku="XL-1", delta=500, reason="receipt"),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    pb = stubs.orders_pb2
    created = []
    for index in range(12):
        currency = "EUR" if index % 3 == 0 else "USD"
        line = pb.OrderLine(sku="XL-1", quantity=1 + index % 4, discount_minor=index)
        if currency == "EUR":
            line.unit_price.CopyFrom(money(currency_code="EUR", amount_minor=999))
        reply = orders.CreateOrder(
            pb.CreateOrderRequest(
                request_id=f"ord-{index}",
                order=pb.Order(customer_id=f"C{index % 2}", channel=CHANNELS[index % 3], currency_code=currency, lines=[line]),
            ),
            metadata=auth,
            timeout=RPC_TIMEOUT,
        )
        created.append(reply.order)
    orders.CancelOrder(pb.CancelOrderRequest(request_id="cancel-1", id=created[4].id), metadata=auth, timeout=RPC_TIMEOUT)
    yield stubs.reports_pb2_grpc.ReportServiceStub(channel), auth
    channel.close()


def sales_request(stubs):
    today = datetime.datetime.now(datetime.timezone.utc).date()
    return stubs.reports_pb2.SalesReportRequest(
        range=stubs.reports_pb2.ReportRange(
            from_date=(today - datetime.timedelta(days=1)).isoformat(),
            to_date=(today + datetime.timedelta(days=1)).isoformat(),
        ),
        period=stubs.reports_pb2.REPORT_PERIOD_DAY,
        dimension=stubs.reports_pb2.SALES_DIMENSION_CHANNEL,
    )


COLUMNS = [
    "period_start", "key", "currency_code", "orders", "units", "revenue_minor", "average_order_value_minor",
    "discount_minor", "tax_minor", "shipping_minor", "refunded_minor", "cancelled_orders",
]


def expected_rows(report):
    rows = [COLUMNS]
    for r in report.rows:
        rows.append([
            r.period_start, r.key, r.currency_code, r.orders, r.units, r.revenue_minor, r.average_order_value_minor,
            r.discount_minor, r.tax_minor, r.shipping_minor, r.refunded_minor, r.cancelled_orders,
        ])
    return rows


def export(reports, auth, request):
    chunks = list(reports.ExportReport(request, metadata=auth, timeout=RPC_TIMEOUT))
    assert chunks, "no chunks"
    assert chunks[-1].last and all(not c.last for c in chunks[:-1])
    assert all(len(c.data) <= 64 * 1024 for c in chunks)
    return chunks, b"".join(c.data for c in chunks)


def test_sales_report_over_grpcio(stubs, seeded):
    reports, auth = seeded
    report = reports.SalesReport(sales_request(stubs), metadata=auth, timeout=RPC_TIMEOUT)
    assert sorted({(r.key, r.currency_code) for r in report.rows}) == sorted(
        [("web", "EUR"), ('we,b"<&>', "USD"), ("phone'", "USD")]
    )
    assert sum(r.orders for r in report.rows) == 11
    assert sum(r.cancelled_orders for r in report.rows) == 1
    for r in report.rows:
        assert r.average_order_value_minor == (2 * r.revenue_minor + r.orders) // (2 * r.orders)  # half up, positive


def test_csv_export_reads_back(stubs, seeded):
    reports, auth = seeded
    request = sales_request(stubs)
    report = reports.SalesReport(request, metadata=auth, timeout=RPC_TIMEOUT)
    chunks, data = export(reports, auth, stubs.reports_pb2.ExportReportRequest(format=stubs.reports_pb2.EXPORT_FORMAT_CSV, sales=request))
    assert chunks[0].content_type == "text/csv"
    assert chunks[-1].rows == len(report.rows)
    text = data.decode("utf-8")
    assert text.endswith("\r\n") and '"we,b""<&>"' in text
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed == [[str(v) for v in row] for row in expected_rows(report)]


def test_xlsx_export_reads_back_cell_for_cell(stubs, seeded, tmp_path):
    reports, auth = seeded
    request = sales_request(stubs)
    report = reports.SalesReport(request, metadata=auth, timeout=RPC_TIMEOUT)
    chunks, data = export(reports, auth, stubs.reports_pb2.ExportReportRequest(format=stubs.reports_pb2.EXPORT_FORMAT_XLSX, sales=request))
    assert chunks[0].content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    path = tmp_path / "sales.xlsx"
    path.write_bytes(data)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Sales"]
    sheet = workbook.active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    expected = expected_rows(report)
    # openpyxl reads an empty inline string as None.
    assert cells == [[None if v == "" else v for v in row] for row in expected]
    for row in sheet.iter_rows(min_row=2):
        assert [c.data_type for c in row[3:]] == ["n"] * 9
        assert all(isinstance(c.value, int) for c in row[3:])
        assert row[1].data_type in ("s", "inlineStr")


def test_fulfillment_xlsx_and_errors(stubs, seeded, tmp_path):
    reports, auth = seeded
    pb = stubs.reports_pb2
    request = sales_request(stubs)
    fulfillment = pb.FulfillmentReportRequest(range=request.range)
    _, data = export(reports, auth, pb.ExportReportRequest(format=pb.EXPORT_FORMAT_XLSX, fulfillment=fulfillment))
    path = tmp_path / "fulfillment.xlsx"
    path.write_bytes(data)
    sheet = openpyxl.load_workbook(path).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["period_start", "orders"]
    assert rows[1][1] == 12
    assert rows[1][-1].startswith("incomplete=12")

    with pytest.raises(grpc.RpcError) as info:
        list(reports.ExportReport(pb.ExportReportRequest(format=pb.EXPORT_FORMAT_CSV), metadata=auth, timeout=RPC_TIMEOUT))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    bad = pb.SalesReportRequest(range=pb.ReportRange(from_date="2026-01-01", to_date="2026-01-02", time_zone="Asia/Kathmandu"))
    with pytest.raises(grpc.RpcError) as info:
        reports.SalesReport(bad, metadata=auth, timeout=RPC_TIMEOUT)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    requests = unpack_details(status_details(info.value, stubs), stubs.error_details_pb2.BadRequest)
    assert [v.field for r in requests for v in r.field_violations] == ["range.time_zone"]


def test_saved_report_run_and_list_runs(stubs, seeded):
    reports, auth = seeded
    pb = stubs.reports_pb2
    definition = pb.ReportDefinition(
        id="by-channel", name="By channel", last_days=0, metrics=["revenue_minor"],
        sales=sales_request(stubs),
    )
    saved = reports.SaveReportDefinition(
        pb.SaveReportDefinitionRequest(request_id="def-1", definition=definition), metadata=auth, timeout=RPC_TIMEOUT
    )
    assert saved.created and saved.definition.version == 1
    run = reports.RunReport(pb.RunReportRequest(request_id="run-1", definition_id="by-channel"), metadata=auth, timeout=RPC_TIMEOUT).run
    direct = reports.SalesReport(sales_request(stubs), metadata=auth, timeout=RPC_TIMEOUT)
    assert [(r.key, r.revenue_minor, r.orders) for r in run.sales.rows] == [(r.key, r.revenue_minor, 0) for r in direct.rows]
    # The same request_id replays the first run instead of running again.
    again = reports.RunReport(pb.RunReportRequest(request_id="run-1", definition_id="by-channel"), metadata=auth, timeout=RPC_TIMEOUT).run
    assert again.id == run.id
    runs = reports.ListReportRuns(pb.ListReportRunsRequest(definition_id="by-channel"), metadata=auth, timeout=RPC_TIMEOUT)
    assert [r.id for r in runs.runs] == [run.id]

    bad = pb.ReportDefinition(id="bad", name="Bad", sales=sales_request(stubs), metrics=["profit"])
    with pytest.raises(grpc.RpcError) as info:
        reports.SaveReportDefinition(pb.SaveReportDefinitionRequest(definition=bad), metadata=auth, timeout=RPC_TIMEOUT)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    requests = unpack_details(status_details(info.value, stubs), stubs.error_details_pb2.BadRequest)
    assert [v.field for r in requests for v in r.field_violations] == ["definition.metrics[0]"]
