import Activations
import Codecs

/// `GET /v1/activations` and `GET /v1/activations/{name}`.
struct CatalogRoutes: Sendable {
    let catalog: Catalog

    func register(in router: inout Router) {
        router.add("GET", "/v1/activations") { _ throws(Problem) in
            jsonResponse(.object([("activations", .array(self.catalog.entries.map(self.entry)))]))
        }
        router.add("GET", "/v1/activations/{name}") { ctx throws(Problem) in
            let name = ctx.pathParameters["name"] ?? ""
            guard let d = self.catalog.descriptor(named: name) else {
                throw Problem.notFound("unknown activation '\(name)'; known: \(self.catalog.names.joined(separator: ", "))")
            }
            return jsonResponse(self.entry(d))
        }
    }

    /// The catalog ENTRY document of docs/API.md "Activation catalog".
    func entry(_ d: ActivationDescriptor) -> JSONValue {
        let support = catalog.adversarialSupport(of: d.name)
        var members: [(key: String, value: JSONValue)] = [
            ("name", .string(d.name)),
            ("aliases", .array(d.aliases.map(JSONValue.string))),
            ("description", .string(d.description)),
            ("formula", .string(d.formula)),
            ("parameters", .array(d.parameters.map(parameter))),
            ("adversarial", .string(support.rawValue)),
        ]
        if let c = catalog.counterpart(of: d.name) {
            members.append(("adversarial_description", .string(c.description)))
            members.append(("adversarial_formula", .string(c.formula)))
        } else {
            members.append(("adversarial_description", .string(catalog.unsupportedReason(of: d.name))))
        }
        members.append(("references", .array(d.references.map { .object([("title", .string($0.title)), ("url", .string($0.url))]) })))
        return .object(members)
    }

    private func parameter(_ p: ParameterSpec) -> JSONValue {
        var m: [(key: String, value: JSONValue)] = [("name", .string(p.name))]
        switch p.kind {
        case .number: m.append(("type", .string("number")))
        case .integer: m.append(("type", .string("integer")))
        case .choice(let options):
            m.append(("type", .string("string")))
            m.append(("enum", .array(options.map(JSONValue.string))))
        case .numbers: m.append(("type", .string("array")))
        }
        switch p.defaultValue {
        case .number(let d): m.append(("default", .number(d)))
        case .string(let s): m.append(("default", .string(s)))
        case .numbers(let ds): m.append(("default", .array(ds.map(JSONValue.number))))
        }
        if let lo = p.minimum {
            m.append(("minimum", .number(lo)))
            if p.exclusiveMinimum { m.append(("exclusive_minimum", .bool(true))) }
        }
        if let hi = p.maximum {
            m.append(("maximum", .number(hi)))
            if p.exclusiveMaximum { m.append(("exclusive_maximum", .bool(true))) }
        }
        m.append(("trainable", .bool(p.trainable)))
        m.append(("description", .string(p.description)))
        return .object(m)
    }
}
