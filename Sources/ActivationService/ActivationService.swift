import App
import ArgumentParser

@main
struct ActivationServiceCommand: ParsableCommand {
    func run() throws {}
}
