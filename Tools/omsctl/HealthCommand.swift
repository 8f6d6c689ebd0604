import ArgumentParser
import OMSClient

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check whether omsd is serving (no token needed).",
        usage: "omsctl health [--service <name>] [<options>]",
        discussion: """
            Calls grpc.health.v1.Health/Check and prints SERVING, NOT_SERVING, UNKNOWN or
            SERVICE_UNKNOWN. The exit code is 0 only for SERVING, so scripts can wait for
            omsd with:

              until omsctl health >/dev/null 2>&1; do sleep 0.5; done

            Exit codes: 0 SERVING, 1 NOT_SERVING or UNKNOWN, 5 SERVICE_UNKNOWN,
            3 omsd cannot be reached.

            EXAMPLES
              omsctl health
              omsctl health --service oms.v1.CatalogService -o json
            """
    )

    @Option(
        help: ArgumentHelp(
            "Ask about one service, e.g. oms.v1.CatalogService (default: the whole server).", valueName: "name"))
    var service: String = ""

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let status = try await global.withClient(needsToken: false) { client in
            try await client.health.check(service: service)
        }
        switch global.output {
        case .table:
            Console.out("\(status.name)\n")
        case .json:
            Console.out(JSONWriter.render(.object(["service": .string(service), "status": .string(status.name)])))
        case .csv:
            var csv = CSVWriter(header: ["service", "status"])
            csv.appendRow([service, status.name])
            Console.out(csv.text)
        }
        switch status {
        case .serving: return
        case .serviceUnknown: throw ExitCode(ExitStatus.notFound)
        case .notServing, .unknown: throw ExitCode(ExitStatus.otherError)
        }
    }
}
