import ArgumentParser
import Foundation
import OMSClient

/// Connection and output options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "omsd's address as host:port ([::1]:50051 for IPv6).",
            discussion: "Default: $OMS_ADDRESS, then 'address' in the config file, then 127.0.0.1:50051.",
            valueName: "host:port"))
    var address: String?

    @Option(
        help: ArgumentHelp(
            "The API token.",
            discussion: """
                Default: $OMS_TOKEN, then 'token' or 'token_file' in the config file, \
                then ./var/data/admin.token if it exists.
                """,
            valueName: "token"))
    var token: String?

    @Option(
        name: .customLong("token-file"),
        help: ArgumentHelp("Read the API token from this file, e.g. var/data/admin.token.", valueName: "path"),
        completion: .file())
    var tokenFile: String?

    @Flag(
        help: ArgumentHelp(
            "Connect with TLS (an omsd started with --tls-cert-file).",
            discussion:
                "Default: on when $OMS_TLS is 1/true or 'tls = true' is in the config file, or --ca-file is given."))
    var tls = false

    @Option(
        name: .customLong("ca-file"),
        help: ArgumentHelp(
            "Trust the certificate authorities in this PEM file (implies --tls); default: the system's.",
            discussion: "Default: $OMS_CA_FILE, then 'ca_file' in the config file.", valueName: "path"),
        completion: .file())
    var caFile: String?

    @Option(
        name: .customLong("tls-server-name"),
        help: ArgumentHelp(
            "The name the server's certificate must carry, if not the address's host.", valueName: "name"))
    var tlsServerName: String?

    @Option(help: ArgumentHelp("Give up on a call after this many seconds (default 30).", valueName: "seconds"))
    var timeout: Double?

    @Option(name: [.short, .long], help: ArgumentHelp("Output format: table, json or csv.", valueName: "format"))
    var output: OutputFormat = .table

    func validate() throws {
        if token != nil && tokenFile != nil {
            throw ValidationError("pass either --token or --token-file, not both")
        }
        if let timeout, !(timeout > 0 && timeout <= 86_400) {
            throw ValidationError("--timeout must be a number of seconds from 0.001 to 86400")
        }
        if let address {
            do throws(OMSError) {
                _ = try ServerAddress(parsing: address)
            } catch {
                throw ValidationError(error.message)
            }
        }
    }

    /// Where omsd is and which token to send, after flags, environment and config file.
    struct Connection {
        var address: ServerAddress
        var token: String?
        /// Where the token came from, for error messages: `--token`, `$OMS_TOKEN`, a file path.
        var tokenSource: String?
        var timeout: Duration?
        /// TLS settings, nil for cleartext.
        var tls: OMSClient.TLS?
    }

    /// - Parameter needsToken: `false` for calls that need none (health), so a
    ///   missing or unreadable token file does not stand in the way.
    func resolveConnection(
        needsToken: Bool = true, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Connection {
        let configPath = ConfigFile.defaultPath(environment: environment)
        let config = try ConfigFile.load(path: configPath)
        for warning in config?.warnings ?? [] { Console.warn(warning) }

        let addressText: String
        let addressSource: String
        if let address {
            (addressText, addressSource) = (address, "--address")
        } else if let fromEnvironment = environment["OMS_ADDRESS"], !fromEnvironment.isEmpty {
            (addressText, addressSource) = (fromEnvironment, "$OMS_ADDRESS")
        } else if let fromConfig = config?.values["address"], !fromConfig.isEmpty {
            (addressText, addressSource) = (fromConfig, configPath)
        } else {
            (addressText, addressSource) = ("127.0.0.1:\(ServerAddress.defaultPort)", "default")
        }
        let address: ServerAddress
        do throws(OMSError) {
            address = try ServerAddress(parsing: addressText)
        } catch {
            throw CLIError("\(error.message) (from \(addressSource))", exitCode: ExitStatus.usage)
        }

        var token: String?
        var tokenSource: String?
        if !needsToken {
            // Health checks need no token; an explicit --token is still sent.
            (token, tokenSource) = (self.token, self.token.map { _ in "--token" })
        } else if let flag = self.token {
            (token, tokenSource) = (flag, "--token")
        } else if let tokenFile {
            (token, tokenSource) = (try Self.readToken(tokenFile), tokenFile)
        } else if let fromEnvironment = environment["OMS_TOKEN"], !fromEnvironment.isEmpty {
            (token, tokenSource) = (fromEnvironment, "$OMS_TOKEN")
        } else if let config, let fromConfig = config.values["token"], !fromConfig.isEmpty {
            (token, tokenSource) = (fromConfig, config.path)
        } else if let config, let file = config.values["token_file"], !file.isEmpty {
            let path = config.resolvePath(file)
            (token, tokenSource) = (try Self.readToken(path), path)
        } else if FileManager.default.isReadableFile(atPath: Self.localTokenFile) {
            (token, tokenSource) = (try Self.readToken(Self.localTokenFile), Self.localTokenFile)
        }
        return Connection(
            address: address, token: token, tokenSource: tokenSource,
            timeout: timeout.map { .milliseconds(Int64(($0 * 1000).rounded(.up))) },
            tls: resolveTLS(config: config, environment: environment))
    }

    /// TLS from the flags, then `$OMS_TLS`/`$OMS_CA_FILE`, then the config file.
    private func resolveTLS(config: ConfigFile?, environment: [String: String]) -> OMSClient.TLS? {
        func enabled(_ text: String?) -> Bool { ["1", "true", "yes", "on"].contains(text?.lowercased() ?? "") }
        var caFile = self.caFile
        if caFile == nil, let fromEnvironment = environment["OMS_CA_FILE"], !fromEnvironment.isEmpty {
            caFile = fromEnvironment
        }
        if caFile == nil, let config, let fromConfig = config.values["ca_file"], !fromConfig.isEmpty {
            caFile = config.resolvePath(fromConfig)
        }
        let on =
            tls || caFile != nil || tlsServerName != nil || enabled(environment["OMS_TLS"])
            || enabled(config?.values["tls"])
        return on ? OMSClient.TLS(caFile: caFile, serverName: tlsServerName) : nil
    }

    /// Where `make run` keeps the token of a development omsd, relative to the repository.
    static let localTokenFile = "./var/data/admin.token"

    private static func readToken(_ path: String) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "it is not readable" : "there is no such file"
            throw CLIError("cannot read the token file \(path): \(reason)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CLIError("the token file \(path) is empty") }
        return token
    }

    /// Connects, runs `body` and closes the client; an ``OMSError`` is
    /// turned into a ``CallFailure`` that knows the address and token source.
    func withClient<T>(needsToken: Bool = true, _ body: (OMSClient) async throws -> T) async throws -> T {
        let connection = try resolveConnection(needsToken: needsToken)
        var options = OMSClient.Options()
        if let timeout = connection.timeout { options.defaultTimeout = timeout }
        options.tls = connection.tls
        let client: OMSClient
        do throws(OMSError) {
            client = try OMSClient(address: connection.address, token: connection.token, options: options)
        } catch {
            throw CLIError(error.message, exitCode: ExitStatus.usage)
        }
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch let error as OMSError {
            await client.close()
            throw CallFailure(error: error, connection: connection)
        } catch {
            await client.close()
            throw error
        }
    }
}
