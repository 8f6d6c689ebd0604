"""Server reflection: stock tools (grpcurl, grpcio-reflection) discover the API
without the .proto files, through grpc.reflection.v1alpha and v1, no token needed."""

import grpc
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from grpc_reflection.v1alpha import reflection_pb2 as v1alpha_pb2
from grpc_reflection.v1alpha import reflection_pb2_grpc as v1alpha_grpc


def test_reflection_lists_every_service(channel):
    services = set(ProtoReflectionDescriptorDatabase(channel).get_services())
    assert {
        "grpc.health.v1.Health",
        "oms.v1.CatalogService",
        "oms.v1.AdminService",
        "oms.v1.EventService",
        "grpc.reflection.v1alpha.ServerReflection",
    } <= services


def test_reflection_serves_descriptors_for_methods_and_messages(channel):
    pool = DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
    catalog = pool.FindServiceByName("oms.v1.CatalogService")
    assert {m.name for m in catalog.methods} >= {"UpsertProduct", "GetProduct", "ListProducts"}
    product = pool.FindMessageTypeByName("oms.v1.Product")
    assert product.fields_by_name["unit_price"].message_type.full_name == "oms.v1.Money"
    assert pool.FindMethodByName("oms.v1.CatalogService.GetProduct").output_type.full_name == (
        "oms.v1.GetProductResponse"
    )


def test_reflection_reports_unknown_symbols_as_not_found(channel):
    stub = v1alpha_grpc.ServerReflectionStub(channel)
    requests = iter([v1alpha_pb2.ServerReflectionRequest(file_containing_symbol="no.such.Thing")])
    responses = list(stub.ServerReflectionInfo(requests))
    assert len(responses) == 1
    assert responses[0].error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]
