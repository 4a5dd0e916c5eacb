"""A small JSON-schema validator for tool arguments.

Covers the subset tool schemas use: type (one or a list), properties, required, additionalProperties
(false or a schema), enum, const, minimum/maximum (and the exclusive forms), minLength/maxLength, items,
minItems/maxItems. Unknown keywords are ignored, as JSON schema says. Errors name the path and what was
expected, in words a model (or a person) can act on.
"""

from __future__ import annotations

from typing import Any

_TYPE_CHECKS = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def validate(value: Any, schema: dict[str, Any], path: str = "arguments") -> list[str]:
    """Every problem with `value` against `schema` (empty when valid)."""
    if not isinstance(schema, dict):
        return []
    type_problem = _check_type(value, schema.get("type"), path)
    if type_problem:
        return [type_problem]
    problems = _check_enum(value, schema, path)
    if isinstance(value, dict):
        problems += _check_object(value, schema, path)
    elif isinstance(value, list):
        problems += _check_array(value, schema, path)
    elif isinstance(value, str):
        problems += _check_length(value, schema, path)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        problems += _check_range(value, schema, path)
    return problems


def _check_type(value: Any, expected: Any, path: str) -> str | None:
    if expected is None:
        return None
    names = expected if isinstance(expected, list) else [expected]
    if any(_TYPE_CHECKS.get(name, lambda _v: True)(value) for name in names):
        return None
    return f"{path}: expected {' or '.join(names)}, got {_describe(value)}"


def _check_enum(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    if "const" in schema and value != schema["const"]:
        return [f"{path}: must be {schema['const']!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} is not one of {', '.join(map(repr, schema['enum']))}"]
    return []


def _check_object(value: dict[str, Any], schema: dict[str, Any], path: str) -> list[str]:
    properties: dict[str, Any] = schema.get("properties", {})
    problems = [f"{path}.{name}: required but missing" for name in schema.get("required", []) if name not in value]
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            problems += validate(item, properties[name], f"{path}.{name}")
        elif extra is False:
            allowed = ", ".join(properties) or "none"
            problems.append(f"{path}.{name}: unknown argument (allowed: {allowed})")
        elif isinstance(extra, dict):
            problems += validate(item, extra, f"{path}.{name}")
    return problems


def _check_array(value: list[Any], schema: dict[str, Any], path: str) -> list[str]:
    problems = []
    if "minItems" in schema and len(value) < schema["minItems"]:
        problems.append(f"{path}: needs at least {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        problems.append(f"{path}: allows at most {schema['maxItems']} items")
    items = schema.get("items")
    if isinstance(items, dict):
        for index, item in enumerate(value):
            problems += validate(item, items, f"{path}[{index}]")
    return problems


def _check_length(value: str, schema: dict[str, Any], path: str) -> list[str]:
    if "minLength" in schema and len(value) < schema["minLength"]:
        return [f"{path}: must be at least {schema['minLength']} characters"]
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        return [f"{path}: must be at most {schema['maxLength']} characters"]
    return []


def _check_range(value: float, schema: dict[str, Any], path: str) -> list[str]:
    if "minimum" in schema and value < schema["minimum"]:
        return [f"{path}: {value} is below the minimum {schema['minimum']}"]
    if "maximum" in schema and value > schema["maximum"]:
        return [f"{path}: {value} is above the maximum {schema['maximum']}"]
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        return [f"{path}: {value} must be greater than {schema['exclusiveMinimum']}"]
    if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        return [f"{path}: {value} must be less than {schema['exclusiveMaximum']}"]
    return []


def _describe(value: Any) -> str:
    for name in ("boolean", "integer", "number", "string", "array", "object", "null"):
        if _TYPE_CHECKS[name](value):
            return f"{name} {value!r}" if name not in ("array", "object") else name
    return type(value).__name__
