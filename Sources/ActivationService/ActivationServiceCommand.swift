import App
import ArgumentParser

/// `activation-service [serve|healthcheck]`: the service's command line.
@main
struct ActivationServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activation-service",
        abstract: "Evaluates neural-network activation functions and their gradients over HTTP.",
        version: Application.version,
        subcommands: [Serve.self, Healthcheck.self],
        defaultSubcommand: Serve.self
    )
}
