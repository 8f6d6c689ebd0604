import Testing

/// CI's guard against hand edits and stale output: the committed
/// Sources/CProtos and Sources/OMSProto/Generated must be exactly what
/// Proto/generate.sh produces from Proto/ with the current generators.
@Suite(
    .enabled(if: Subprocess.which("protoc-c") != nil && Subprocess.which("protoc") != nil, "protoc/protoc-c missing"))
struct GeneratedCodeDriftTests {
    @Test(.timeLimit(.minutes(5)))
    func committedOutputMatchesGenerator() throws {
        let output = try Subprocess.run("/bin/bash", [Repository.root + "/Proto/generate.sh", "--check"])
        #expect(
            output.status == 0,
            "generated code drifted; run Proto/generate.sh (make proto) and commit the result:\n\(output.stderr)")
    }
}
