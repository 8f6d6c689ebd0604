import ArgumentParser
import OMSClient
import OMSProto

struct AdminKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys (admin token).",
        discussion: """
            Give each integration its own key: audit rows and events name the key that
            made a change, and a leaked key can be revoked without touching the others.
            A service key may call every business service; only admin keys may call
            `omsctl admin` (AdminService).

            EXAMPLES
              omsctl admin keys create erp-sync
              omsctl admin keys create ops-alice --role admin -o json
              omsctl admin keys list
              omsctl admin keys revoke erp-sync
            """,
        subcommands: [AdminKeysCreateCommand.self, AdminKeysListCommand.self, AdminKeysRevokeCommand.self]
    )
}

enum ApiKeyRoleArgument: String, CaseIterable, ExpressibleByArgument {
    case service, admin

    var role: Oms_V1_ApiKeyRole { self == .admin ? .admin : .service }
}

struct AdminKeysCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an API key and print its token (shown only once).",
        usage: "omsctl admin keys create <name> [--role service|admin] [<options>]",
        discussion: """
            The token goes to standard output alone on its line (table output), so
            `omsctl admin keys create erp > erp.token` stores it; keep it like a password.

            EXAMPLES
              omsctl admin keys create erp-sync > erp-sync.token
              omsctl admin keys create ops-alice --role admin -o json
            """
    )

    @Argument(help: ArgumentHelp("1-64 characters of A-Z a-z 0-9 . _ -, unique.", valueName: "name"))
    var name: String

    @Option(help: "service: every business service; admin: AdminService too.")
    var role: ApiKeyRoleArgument = .service

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (key, token) = try await global.withClient { client in
            try await client.admin.createApiKey(name: name, role: role.role)
        }
        switch global.output {
        case .table:
            Console.error(
                "created \(ApiKeyPresentation.roleName(key.role)) key \(key.name); its token (shown once) follows on standard output"
            )
            Console.out(token + "\n")
        case .json:
            var fields = ApiKeyPresentation.jsonFields(key)
            fields["token"] = .string(token)
            Console.out(JSONWriter.render(.object(fields)))
        case .csv:
            var csv = CSVWriter(header: ApiKeyPresentation.csvHeader + ["token"])
            csv.appendRow(ApiKeyPresentation.csvRow(key) + [token])
            Console.out(csv.text)
        }
    }
}

struct AdminKeysListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every API key, revoked ones included (never their tokens).",
        usage: "omsctl admin keys list [<options>]",
        discussion: """
            EXAMPLES
              omsctl admin keys list
              omsctl admin keys list -o json | jq '.[] | select(.revokedAtMillis == 0) | .name'
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let keys = try await global.withClient { client in try await client.admin.apiKeys() }
        ApiKeyPresentation.print(keys, output: global.output)
    }
}

struct AdminKeysRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke an API key: its token is refused from the next call on.",
        usage: "omsctl admin keys revoke <name> [<options>]",
        discussion: """
            The key stays listed as revoked and its name cannot be reused. The last
            active admin key cannot be revoked: create another admin key first.

            EXAMPLES
              omsctl admin keys revoke erp-sync
            """
    )

    @Argument(help: ArgumentHelp("The key's name.", valueName: "name"))
    var name: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let key = try await global.withClient { client in try await client.admin.revokeApiKey(name: name) }
        ApiKeyPresentation.print([key], output: global.output)
    }
}

/// How API keys look in each output format.
enum ApiKeyPresentation {
    static let csvHeader = [
        "name", "role", "createdAtMillis", "createdBy", "revokedAtMillis", "revokedBy", "tokenPrefix",
    ]

    static func roleName(_ role: Oms_V1_ApiKeyRole) -> String {
        switch role {
        case .admin: "admin"
        case .service: "service"
        case .unspecified, .UNRECOGNIZED: "none"
        }
    }

    static func jsonFields(_ key: Oms_V1_ApiKey) -> [String: JSONValue] {
        [
            "name": .string(key.name), "role": .string(roleName(key.role)),
            "createdAtMillis": .int64(key.createdAtMillis), "createdBy": .string(key.createdBy),
            "revokedAtMillis": .int64(key.revokedAtMillis), "revokedBy": .string(key.revokedBy),
            "tokenPrefix": .string(key.tokenPrefix),
        ]
    }

    static func csvRow(_ key: Oms_V1_ApiKey) -> [String] {
        [
            key.name, roleName(key.role), String(key.createdAtMillis), key.createdBy, String(key.revokedAtMillis),
            key.revokedBy, key.tokenPrefix,
        ]
    }

    static func print(_ keys: [Oms_V1_ApiKey], output: OutputFormat) {
        switch output {
        case .table:
            var table = TableFormatter(
                columns: [
                    .init(title: "name", shrinkable: true), .init(title: "role"), .init(title: "token"),
                    .init(title: "created"), .init(title: "status", shrinkable: true),
                ], width: Console.width)
            for key in keys {
                let status =
                    key.revokedAtMillis == 0
                    ? "active" : "revoked \(TimeText.iso8601(millis: key.revokedAtMillis)) by \(key.revokedBy)"
                let created = key.createdAtMillis == 0 ? "" : TimeText.iso8601(millis: key.createdAtMillis)
                table.append([key.name, roleName(key.role), key.tokenPrefix, created, status])
            }
            Console.out(table.render())
        case .json:
            Console.out(JSONWriter.render(.array(keys.map { .object(jsonFields($0)) })))
        case .csv:
            var csv = CSVWriter(header: csvHeader)
            for key in keys { csv.appendRow(csvRow(key)) }
            Console.out(csv.text)
        }
    }
}
