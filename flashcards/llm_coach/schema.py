"""The structure the LLM coach must reply with, and a small validator for exactly that subset of
JSON Schema (object, array, string, enum, required, additionalProperties, lengths): a reply that
does not fit is discarded, never shown."""

from __future__ import annotations

MAX_TEXT = 2000
MAX_WRONG = 10


def feedback_schema(point_count: int) -> dict:
    """The reply's JSON Schema for a question with `point_count` key points (one verdict each)."""
    text = {"type": "string", "maxLength": MAX_TEXT}
    return {
        "type": "object",
        "properties": {
            "wrong_statements": {
                "type": "array",
                "maxItems": MAX_WRONG,
                "items": {
                    "type": "object",
                    "properties": {"statement": text, "correction": text},
                    "required": ["statement", "correction"],
                    "additionalProperties": False,
                },
            },
            "tighter_answer": text,
            "key_points": {
                "type": "array",
                "minItems": point_count,
                "maxItems": point_count,
                "items": {
                    "type": "object",
                    "properties": {
                        "verdict": {"type": "string", "enum": ["covered", "missed"]},
                        "evidence": text,
                    },
                    "required": ["verdict", "evidence"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["wrong_statements", "tighter_answer", "key_points"],
        "additionalProperties": False,
    }


# Hosted APIs with strict structured output accept only a subset of JSON Schema, without length
# or count limits; the model is sent the schema without them, and the reply checked with them.
_LIMITS = frozenset({"maxLength", "minItems", "maxItems"})


def request_schema(point_count: int) -> dict:
    """The schema sent with the request: feedback_schema without length and count limits."""

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in _LIMITS}
        return node

    return strip(feedback_schema(point_count))


class SchemaViolation(ValueError):
    """The reply does not fit the schema; the message says where."""


_TYPES = {"object": dict, "array": list, "string": str}


def validate(value, schema: dict, where: str = "reply") -> None:
    """Raise SchemaViolation unless `value` fits `schema` (the subset feedback_schema uses)."""
    expected = _TYPES[schema["type"]]
    if not isinstance(value, expected):
        raise SchemaViolation(f"{where} is not a{'n' if schema['type'] == 'object' else ''} "
                              f"{schema['type']}")  # fmt: skip
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaViolation(f"{where} is not one of {schema['enum']}")
    if len(value) > schema.get("maxLength", schema.get("maxItems", len(value))):
        raise SchemaViolation(f"{where} is too long")
    if len(value) < schema.get("minItems", 0):
        raise SchemaViolation(f"{where} has too few items")
    if isinstance(value, list):
        for i, item in enumerate(value):
            validate(item, schema["items"], f"{where}[{i}]")
    if isinstance(value, dict):
        missing = set(schema.get("required", ())) - value.keys()
        extra = value.keys() - schema["properties"].keys()
        if missing or (extra and schema.get("additionalProperties") is False):
            raise SchemaViolation(f"{where} lacks {sorted(missing)} or has {sorted(extra)}")
        for key in value.keys() & schema["properties"].keys():
            validate(value[key], schema["properties"][key], f"{where}.{key}")
