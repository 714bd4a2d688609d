/// The top-level columns of a file as costwh reads them, each flat or nested, and the leaf
/// columns (one column chunk each, in schema order) they read. A nested column of the shapes
/// tools write for cost data (a MAP of primitives such as `Tags`, a LIST of primitives, a
/// STRUCT of primitives) becomes JSON text in its place; other shapes get an error naming
/// the column.
struct ReadField {
    enum Shape {
        /// One leaf, read as it is.
        case flat(leaf: Int)
        /// A list of `element`; entries exist from definition level `entriesDef` on, and the
        /// list itself is null below `presentDef`.
        case list(element: Int, presentDef: Int, entriesDef: Int)
        /// A map of `key` to `value`, levels as for a list.
        case map(key: Int, value: Int, presentDef: Int, entriesDef: Int)
        /// An object of named leaves, null below `presentDef`.
        case structure(children: [(name: String, leaf: Int)], presentDef: Int)
    }

    let name: String
    let shape: Shape

    var leaves: [Int] {
        switch shape {
        case .flat(let leaf): return [leaf]
        case .list(let element, _, _): return [element]
        case .map(let key, let value, _, _): return [key, value]
        case .structure(let children, _): return children.map(\.leaf)
        }
    }
}

/// The schema as a tree, from its depth-first list.
struct SchemaNode {
    let element: SchemaElement
    let children: [SchemaNode]

    var isPrimitive: Bool { element.children == 0 }

    /// The tree of the elements from `index`, checked against the list's length and a depth limit.
    static func parse(_ schema: [SchemaElement], _ index: inout Int, depth: Int) throws(ParquetError) -> SchemaNode {
        guard depth <= ParquetLimits.depth else {
            throw ParquetError("the schema is nested deeper than \(ParquetLimits.depth) levels")
        }
        guard index < schema.count else { throw ParquetError("the schema ends inside a group") }
        let element = schema[index]
        index += 1
        guard element.children >= 0, element.children <= schema.count - index else {
            throw ParquetError(
                column: element.name, "the group claims \(element.children) children, but \(schema.count - index) elements follow")
        }
        var children: [SchemaNode] = []
        for _ in 0..<element.children { children.append(try parse(schema, &index, depth: depth + 1)) }
        return SchemaNode(element: element, children: children)
    }
}

enum ParquetFields {
    /// The fields and leaves of a schema.
    static func read(_ schema: [SchemaElement]) throws(ParquetError) -> (fields: [ReadField], leaves: [LeafColumn]) {
        var index = 0
        let root = try SchemaNode.parse(schema, &index, depth: 0)
        guard index == schema.count else {
            throw ParquetError("the schema's root claims \(root.element.children) columns, but more elements follow")
        }
        var leaves: [LeafColumn] = []
        var fields: [ReadField] = []
        for node in root.children { fields.append(try field(node, &leaves)) }
        return (fields, leaves)
    }

    private static func field(_ node: SchemaNode, _ leaves: inout [LeafColumn]) throws(ParquetError) -> ReadField {
        let name = node.element.name
        let top = node.element.repetition
        if node.isPrimitive {
            if top == 2 {
                // A repeated primitive at the top (the oldest list form): a list, never null.
                let element = try leaf(node.element, maxDef: 1, maxRep: 1, &leaves)
                return ReadField(name: name, shape: .list(element: element, presentDef: 0, entriesDef: 1))
            }
            return ReadField(name: name, shape: .flat(leaf: try leaf(node.element, maxDef: top == 1 ? 1 : 0, maxRep: 0, &leaves)))
        }
        guard top != 2 else {
            throw ParquetError(column: name, "a repeated group is not read; flatten \(TextSafety.quoted(name)) to JSON text")
        }
        let presentDef = top == 1 ? 1 : 0
        let children = node.children
        if children.count == 1, children[0].element.repetition == 2 {
            let repeated = children[0]
            let entriesDef = presentDef + 1
            if node.element.kind == .nested("MAP") || repeated.element.kind == .nested("MAP") {
                // MAP (or the legacy MAP_KEY_VALUE): a repeated group of a key and a value.
                guard repeated.children.count == 2, repeated.children.allSatisfy({ $0.isPrimitive && $0.element.repetition != 2 })
                else { throw unsupported(name, "a MAP whose keys and values are not primitive") }
                let key = try leaf(repeated.children[0].element, maxDef: entriesDef + (repeated.children[0].element.repetition == 1 ? 1 : 0), maxRep: 1, &leaves)
                let value = try leaf(repeated.children[1].element, maxDef: entriesDef + (repeated.children[1].element.repetition == 1 ? 1 : 0), maxRep: 1, &leaves)
                return ReadField(name: name, shape: .map(key: key, value: value, presentDef: presentDef, entriesDef: entriesDef))
            }
            if repeated.isPrimitive {
                // A LIST of two levels: the repeated field is the element.
                let element = try leaf(repeated.element, maxDef: entriesDef, maxRep: 1, &leaves)
                return ReadField(name: name, shape: .list(element: element, presentDef: presentDef, entriesDef: entriesDef))
            }
            guard repeated.children.count == 1, repeated.children[0].isPrimitive, repeated.children[0].element.repetition != 2 else {
                throw unsupported(name, "a LIST whose elements are not primitive")
            }
            let child = repeated.children[0].element
            let element = try leaf(child, maxDef: entriesDef + (child.repetition == 1 ? 1 : 0), maxRep: 1, &leaves)
            return ReadField(name: name, shape: .list(element: element, presentDef: presentDef, entriesDef: entriesDef))
        }
        guard node.element.kind != .nested("LIST"), node.element.kind != .nested("MAP") else {
            throw unsupported(name, "a \(node.element.kind == .nested("MAP") ? "MAP" : "LIST") without its repeated group")
        }
        guard !children.isEmpty, children.allSatisfy({ $0.isPrimitive && $0.element.repetition != 2 }) else {
            throw unsupported(name, "a STRUCT holding groups or repeated fields")
        }
        var members: [(name: String, leaf: Int)] = []
        for child in children {
            members.append(
                (child.element.name, try leaf(child.element, maxDef: presentDef + (child.element.repetition == 1 ? 1 : 0), maxRep: 0, &leaves)))
        }
        return ReadField(name: name, shape: .structure(children: members, presentDef: presentDef))
    }

    private static func unsupported(_ name: String, _ what: String) -> ParquetError {
        ParquetError(column: name, "\(what) is not read; flatten \(TextSafety.quoted(name)) (for example to JSON text) or leave it out")
    }

    private static func leaf(
        _ element: SchemaElement, maxDef: Int, maxRep: Int, _ leaves: inout [LeafColumn]
    ) throws(ParquetError) -> Int {
        guard let type = element.type else { throw ParquetError(column: element.name, "the column has no physical type") }
        if case .nested(let what) = element.kind {
            throw ParquetError(column: element.name, "a \(what) annotation on a primitive column is not valid")
        }
        if case .decimal(_, let precision) = element.kind, precision > 38 {
            throw ParquetError(column: element.name, "DECIMAL(\(precision)) is wider than 38 digits")
        }
        leaves.append(
            LeafColumn(
                name: element.name, type: type, typeLength: element.typeLength, optional: maxDef > 0, kind: element.kind,
                maxDef: maxDef, maxRep: maxRep))
        return leaves.count - 1
    }
}
