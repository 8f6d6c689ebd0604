import ArgumentParser
import Foundation
import OMSClient

@main
struct OMSCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omsctl",
        abstract: "Administer an omsd order-management daemon.",
        discussion: """
            omsctl talks to omsd over gRPC. Every command takes the connection options
            below; results go to standard output as a table, JSON or CSV (--output),
            messages and errors to standard error.

            CONNECTION
              The address is --address, else $OMS_ADDRESS, else 'address' in the config
              file, else 127.0.0.1:50051. The token is --token or --token-file, else
              $OMS_TOKEN, else 'token' or 'token_file' in the config file, else
              ./var/data/admin.token when it exists (where `make run` puts it).
              The config file is ~/.config/omsctl/config ($XDG_CONFIG_HOME and
              $OMSCTL_CONFIG move it), one 'key = value' per line:

                address = 127.0.0.1:50051
                token_file = ~/oms/var/data/admin.token

            EXAMPLES
              omsctl health
              omsctl products upsert --sku MUG-350 --name "Blue mug" \\
                  --price 8.99 --currency EUR
              omsctl products list --prefix MUG- -o csv > mugs.csv
              omsctl events watch --after 1200 -o json
              omsctl admin info --address 10.0.0.5:50051 --token-file admin.token

            SHELL COMPLETION
              omsctl --generate-completion-script bash > /etc/bash_completion.d/omsctl
              (also zsh and fish)

            \(ExitStatus.helpText)
            """,
        version: "omsctl 1.0",
        subcommands: [
            HealthCommand.self, ProductsCommand.self, OrdersCommand.self, StockCommand.self,
            StockWarehousesCommand.self, CustomersCommand.self, ReportsCommand.self, EventsCommand.self,
            AdminCommand.self,
        ]
    )

    /// Parses and runs the command, then maps every failure to a message on
    /// standard error and one of the documented exit codes.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CallFailure {
            for line in failure.lines { Console.error(line) }
            Foundation.exit(failure.exitCode)
        } catch let error as CLIError {
            Console.error("error: \(error.message)")
            Foundation.exit(error.exitCode)
        } catch {
            // ArgumentParser's own errors: help, version, usage mistakes.
            let code = exitCode(for: error)
            if code == .validationFailure {
                // ArgumentParser uses EX_USAGE (64); omsctl documents 2 for usage errors.
                Console.error(fullMessage(for: error))
                Foundation.exit(ExitStatus.usage)
            }
            exit(withError: error)
        }
    }
}
