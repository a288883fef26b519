//! Compiled schemas: an arena of small nodes with `$ref`s resolved to indices, built once per
//! Kubernetes version (from the embedded bundle) or per CRD version (from its openAPIV3Schema).

use serde_json::Value;
use std::collections::HashMap;

/// Index of a node in a [`Compiled`] arena.
pub(crate) type SchemaId = u32;

/// Accepted JSON types as bits.
pub(crate) mod types {
    pub const NULL: u8 = 1;
    pub const BOOL: u8 = 2;
    pub const INT: u8 = 4;
    /// Any number (integers included).
    pub const NUMBER: u8 = 8;
    pub const STRING: u8 = 16;
    pub const OBJECT: u8 = 32;
    pub const ARRAY: u8 = 64;
    pub const ANY: u8 = 127;

    /// `string`, `integer or null`, … for messages.
    pub fn describe(bits: u8) -> String {
        let names = [
            (STRING, "string"),
            (INT, "integer"),
            (NUMBER, "number"),
            (BOOL, "boolean"),
            (OBJECT, "object"),
            (ARRAY, "array"),
        ];
        let mut out: Vec<&str> = names.iter().filter(|(b, _)| bits & b != 0).map(|(_, n)| *n).collect();
        if bits & NUMBER != 0 {
            out.retain(|n| *n != "integer");
        }
        if out.is_empty() {
            return "null".into();
        }
        out.join(" or ")
    }
}

/// Value formats the checker understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    None,
    Int32,
    Int64,
    Byte,
    DateTime,
    /// `resource.Quantity`: checked by GK-S010.
    Quantity,
}

/// What a mapping may hold besides its declared properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extra {
    /// Anything (free-form objects, `x-kubernetes-preserve-unknown-fields`).
    Open,
    /// Nothing: unknown fields are errors in strict mode.
    Closed,
    /// Values of this schema (`additionalProperties: {...}`, maps such as labels).
    Schema(SchemaId),
}

/// One compiled schema node.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub types: u8,
    pub format: Format,
    /// Sorted by name.
    pub properties: Vec<(Box<str>, SchemaId)>,
    pub extra: Extra,
    pub items: Option<SchemaId>,
    pub required: Vec<Box<str>>,
    pub enumeration: Vec<Value>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub pattern: Option<regex::Regex>,
}

impl Node {
    fn any() -> Node {
        Node {
            types: types::ANY,
            format: Format::None,
            properties: Vec::new(),
            extra: Extra::Open,
            items: None,
            required: Vec::new(),
            enumeration: Vec::new(),
            minimum: None,
            maximum: None,
            min_length: None,
            max_length: None,
            min_items: None,
            max_items: None,
            pattern: None,
        }
    }

    /// A node that accepts everything and checks nothing below: the walk stops here.
    pub fn is_trivial(&self) -> bool {
        self.types == types::ANY
            && self.extra == Extra::Open
            && self.properties.is_empty()
            && self.items.is_none()
    }

    pub fn property(&self, name: &str) -> Option<SchemaId> {
        self.properties.binary_search_by(|(n, _)| (**n).cmp(name)).ok().map(|i| self.properties[i].1)
    }
}

/// An arena of compiled schema nodes and the kinds it knows.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    pub nodes: Vec<Node>,
    /// `apiVersion/Kind` → root schema.
    pub kinds: HashMap<String, SchemaId>,
    /// Definition name → node, for the bundle's `$ref`s.
    pub named: HashMap<String, SchemaId>,
}

impl Compiled {
    pub fn node(&self, id: SchemaId) -> &Node {
        &self.nodes[id as usize]
    }

    fn push(&mut self, node: Node) -> SchemaId {
        self.nodes.push(node);
        (self.nodes.len() - 1) as SchemaId
    }

    /// Compiles one Kubernetes version of the bundle: `names` maps definition names to content
    /// hashes in `store`; `kinds` maps `apiVersion/Kind` to definition names.
    pub fn from_bundle(
        names: &serde_json::Map<String, Value>,
        kinds: &serde_json::Map<String, Value>,
        store: &serde_json::Map<String, Value>,
    ) -> Compiled {
        let mut c = Compiled::default();
        let mut pending: Vec<(SchemaId, &Value)> = Vec::new();
        // Allocate every definition first so `$ref`s (also recursive ones) resolve to indices.
        for (name, hash) in names {
            let Some(schema) = hash.as_str().and_then(|h| store.get(h)) else { continue };
            let id = c.push(Node::any());
            c.named.insert(name.clone(), id);
            pending.push((id, schema));
        }
        for (id, schema) in pending {
            let node = c.compile_bundle_node(schema);
            c.nodes[id as usize] = node;
        }
        for (gvk, name) in kinds {
            if let Some(id) = name.as_str().and_then(|n| c.named.get(n)) {
                c.kinds.insert(gvk.clone(), *id);
            }
        }
        // Quantities are checked by GK-S010; int-or-string is a union type.
        if let Some(&q) = c.named.get("io.k8s.apimachinery.pkg.api.resource.Quantity") {
            c.nodes[q as usize].format = Format::Quantity;
        }
        c
    }

    /// A bundle schema: a `$ref` becomes the referenced id, anything else a new node.
    fn compile_bundle_ref(&mut self, schema: &Value) -> SchemaId {
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            return self.named.get(target).copied().unwrap_or_else(|| self.push(Node::any()));
        }
        let node = self.compile_bundle_node(schema);
        self.push(node)
    }

    fn compile_bundle_node(&mut self, schema: &Value) -> Node {
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            // A definition that is only a reference: copy the target (allocated earlier).
            return match self.named.get(target) {
                Some(&id) => self.nodes[id as usize].clone(),
                None => Node::any(),
            };
        }
        let mut node = common(schema);
        node.types = match (schema.get("type"), schema.get("oneOf").and_then(Value::as_array)) {
            (Some(t), _) => type_bits(t),
            // IntOrString, Quantity: a union of plain types.
            (None, Some(branches)) => {
                branches.iter().filter_map(|b| b.get("type")).map(type_bits).fold(0, |a, b| a | b)
            }
            (None, None) => types::ANY,
        };
        if node.types == 0 {
            node.types = types::ANY;
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            let mut list: Vec<(Box<str>, SchemaId)> =
                props.iter().map(|(k, v)| (k.as_str().into(), self.compile_bundle_ref(v))).collect();
            list.sort_by(|a, b| a.0.cmp(&b.0));
            node.properties = list;
        }
        node.extra = match schema.get("additionalProperties") {
            Some(Value::Bool(false)) => Extra::Closed,
            Some(Value::Object(_)) => Extra::Schema(self.compile_bundle_ref(&schema["additionalProperties"])),
            // The wheel's `-strict` variant closes exactly the objects that declare properties.
            None if !node.properties.is_empty() => Extra::Closed,
            _ => Extra::Open,
        };
        if let Some(items) = schema.get("items") {
            node.items = Some(self.compile_bundle_ref(items));
        }
        node
    }

    /// Compiles a CRD version's `openAPIV3Schema` into this arena; returns its root.
    pub fn add_crd_schema(&mut self, schema: &Value) -> SchemaId {
        let node = self.compile_crd_node(schema, 0);
        self.push(node)
    }

    fn compile_crd_node(&mut self, schema: &Value, depth: usize) -> Node {
        let mut node = common(schema);
        if depth > 200 {
            return Node::any();
        }
        let preserve = schema.get("x-kubernetes-preserve-unknown-fields").and_then(Value::as_bool)
            == Some(true)
            || schema.get("x-kubernetes-embedded-resource").and_then(Value::as_bool) == Some(true);
        node.types = if schema.get("x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true) {
            types::INT | types::STRING
        } else {
            schema.get("type").map_or(types::ANY, type_bits)
        };
        if node.types == 0 {
            node.types = types::ANY;
        }
        if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
            node.types |= types::NULL;
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            let mut list = Vec::with_capacity(props.len());
            for (k, v) in props {
                let child = self.compile_crd_node(v, depth + 1);
                list.push((k.as_str().into(), self.push(child)));
            }
            list.sort_by(|a: &(Box<str>, SchemaId), b| a.0.cmp(&b.0));
            node.properties = list;
        }
        node.extra = match schema.get("additionalProperties") {
            _ if preserve => Extra::Open,
            Some(Value::Object(o)) => {
                let child = self.compile_crd_node(&Value::Object(o.clone()), depth + 1);
                Extra::Schema(self.push(child))
            }
            Some(Value::Bool(true)) => Extra::Open,
            // The API server prunes (strict field validation: rejects) undeclared fields of
            // structural schemas.
            _ if node.types == types::OBJECT || !node.properties.is_empty() => Extra::Closed,
            _ => Extra::Open,
        };
        if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
            let child = self.compile_crd_node(items, depth + 1);
            node.items = Some(self.push(child));
        }
        node
    }
}

/// Keywords shared by bundle and CRD schemas.
fn common(schema: &Value) -> Node {
    let mut node = Node::any();
    node.format = match schema.get("format").and_then(Value::as_str) {
        Some("int32") => Format::Int32,
        Some("int64") => Format::Int64,
        Some("byte") => Format::Byte,
        Some("date-time") => Format::DateTime,
        _ => Format::None,
    };
    if let Some(req) = schema.get("required").and_then(Value::as_array) {
        node.required = req.iter().filter_map(Value::as_str).map(Into::into).collect();
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        node.enumeration.clone_from(values);
    }
    let num = |k: &str| schema.get(k).and_then(Value::as_f64);
    let uint = |k: &str| schema.get(k).and_then(Value::as_u64);
    node.minimum = num("minimum");
    node.maximum = num("maximum");
    node.min_length = uint("minLength");
    node.max_length = uint("maxLength");
    node.min_items = uint("minItems");
    node.max_items = uint("maxItems");
    node.pattern = schema.get("pattern").and_then(Value::as_str).and_then(|p| regex::Regex::new(p).ok());
    node
}

fn type_bits(t: &Value) -> u8 {
    let one = |s: &str| match s {
        "null" => types::NULL,
        "boolean" => types::BOOL,
        "integer" => types::INT,
        "number" => types::NUMBER | types::INT,
        "string" => types::STRING,
        "object" => types::OBJECT,
        "array" => types::ARRAY,
        _ => 0,
    };
    match t {
        Value::String(s) => one(s),
        Value::Array(list) => list.iter().filter_map(Value::as_str).map(one).fold(0, |a, b| a | b),
        _ => types::ANY,
    }
}
