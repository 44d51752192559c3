#!/usr/bin/python3
"""Renders every chat template of the engine's corpus with Python's Jinja2, set up the way
transformers' apply_chat_template sets it up, and writes the expected renderings beside them.

Run with Debian's python3-jinja2 from the repository root:

    /usr/bin/python3 tools/chat-templates/render_expected.py

Inputs (engine/src/test/resources/chat-templates/):
  templates/*.jinja     real models' chat templates (sources.tsv says where each comes from)
  conversations.json    OpenAI-style conversations, tools and per-template bos/eos tokens

Outputs (expected/<template>/):
  forms.json            how the engine hands this template tool-call arguments and content parts
  <conversation>.txt    the rendered prompt, or
  <conversation>.error  "raise_exception: <message>" or "error: <type>: <message>"
  template.error        "line <n>: <message>" when Jinja2 cannot compile the template at all
  ../semantics-expected.json  the rendering (or error) of each small template of semantics.json

The Java corpus test (ChatTemplateCorpusTest) reads these files, so the build needs no Python.
"""

import datetime
import json
import os
import sys

import jinja2
import jinja2.ext
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.join("engine", "src", "test", "resources", "chat-templates")
# The corpus renders at a fixed instant so that strftime_now is reproducible (the Java test
# gives its renderer a clock fixed at the same instant).
FIXED_NOW = datetime.datetime(2026, 1, 15, 10, 30, 5)

ARGUMENT_KEY = "argument_needle"
ARGUMENT_VALUE = "needle-value"
PART_TEXT = "part-needle"
PROBE_TOOLS = [{"type": "function", "function": {"name": "probe_tool", "description": "A probe.",
                                                  "parameters": {"type": "object", "properties": {}}}}]


class GenerationTag(jinja2.ext.Extension):
    """transformers' {% generation %} block: renders its body (it only marks assistant tokens)."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return FIXED_NOW.strftime(format)


def compile_template(source):
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env.from_string(source)


class Raised(Exception):
    pass


def render(template, messages, tools, add_generation_prompt, tokens):
    """Renders as apply_chat_template does: tools and documents are always passed (None when absent)."""
    try:
        return template.render(messages=messages, tools=tools, documents=None,
                               add_generation_prompt=add_generation_prompt, **tokens)
    except jinja2.exceptions.TemplateError as e:
        if type(e) is jinja2.exceptions.TemplateError:
            raise Raised(str(e))
        raise


def try_render(template, messages, tools, tokens):
    try:
        return render(template, messages, tools, False, tokens)
    except Exception:
        return None


def shows_arguments(out):
    return out is not None and ARGUMENT_KEY in out and ARGUMENT_VALUE in out


def detect_forms(template, tokens):
    """The engine's rule, decided once per template with a probe conversation:
    arguments are an object unless the template shows string arguments and not object ones;
    content parts stay parts when the template prints a text part's text without leaking the
    part's structure, else they become their text."""
    def call(arguments):
        return [{"role": "user", "content": "Call the probe."},
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "call_probe01", "type": "function",
                     "function": {"name": "probe_tool", "arguments": arguments}}]}]
    as_object = try_render(template, call({ARGUMENT_KEY: ARGUMENT_VALUE}), PROBE_TOOLS, tokens)
    as_string = try_render(template, call(json.dumps({ARGUMENT_KEY: ARGUMENT_VALUE})), PROBE_TOOLS, tokens)
    arguments = "string" if shows_arguments(as_string) and not shows_arguments(as_object) else "object"
    parts = try_render(template, [{"role": "user", "content": [{"type": "text", "text": PART_TEXT}]}], None, tokens)
    leaks = parts is not None and ("'type'" in parts or '"type"' in parts)
    content = "parts" if parts is not None and PART_TEXT in parts and not leaks else "text"
    return {"arguments": arguments, "content": content}


def template_message(message, forms):
    """An OpenAI message as the engine hands it to a template."""
    out = {"role": "system" if message["role"] == "developer" else message["role"]}
    content = message.get("content")
    if isinstance(content, list):
        if forms["content"] == "parts":
            content = [dict(part) for part in content]
        else:
            content = "\n".join(part.get("text") or "" for part in content if part.get("type") == "text")
    out["content"] = content
    if "name" in message:
        out["name"] = message["name"]
    if "tool_call_id" in message:
        out["tool_call_id"] = message["tool_call_id"]
    if "tool_calls" in message:
        calls = []
        for call in message["tool_calls"]:
            arguments = call["function"]["arguments"]
            if forms["arguments"] == "object":
                try:
                    parsed = json.loads(arguments)
                    if isinstance(parsed, dict):
                        arguments = parsed
                except ValueError:
                    pass
            calls.append({"id": call["id"], "type": call.get("type", "function"),
                          "function": {"name": call["function"]["name"], "arguments": arguments}})
        out["tool_calls"] = calls
    return out


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def main():
    with open(os.path.join(ROOT, "conversations.json"), encoding="utf-8") as f:
        corpus = json.load(f)
    template_dir = os.path.join(ROOT, "templates")
    rendered = raised = failed = 0
    for file_name in sorted(os.listdir(template_dir)):
        if not file_name.endswith(".jinja"):
            continue
        stem = file_name[: -len(".jinja")]
        out_dir = os.path.join(ROOT, "expected", stem)
        os.makedirs(out_dir, exist_ok=True)
        for old in os.listdir(out_dir):
            os.remove(os.path.join(out_dir, old))
        with open(os.path.join(template_dir, file_name), encoding="utf-8", newline="") as f:
            source = f.read()
        try:
            template = compile_template(source)
        except jinja2.exceptions.TemplateSyntaxError as e:
            write(os.path.join(out_dir, "template.error"), f"line {e.lineno}: {e.message}")
            failed += 1
            continue
        tokens = corpus["tokens"].get(stem, corpus["tokens"]["default"])
        forms = detect_forms(template, tokens)
        write(os.path.join(out_dir, "forms.json"), json.dumps(forms, indent=2) + "\n")
        for name, conversation in corpus["conversations"].items():
            messages = [template_message(m, forms) for m in conversation["messages"]]
            tools = corpus["tools"] if conversation.get("tools") else None
            try:
                text = render(template, messages, tools, conversation["add_generation_prompt"], tokens)
                write(os.path.join(out_dir, name + ".txt"), text)
                rendered += 1
            except Raised as e:
                write(os.path.join(out_dir, name + ".error"), "raise_exception: " + str(e))
                raised += 1
            except Exception as e:
                write(os.path.join(out_dir, name + ".error"), "error: " + type(e).__name__ + ": " + str(e))
                failed += 1
    print(f"rendered {rendered}, raise_exception {raised}, other errors {failed}", file=sys.stderr)
    render_semantics()


def render_semantics():
    """Small templates that pin one Jinja2 behaviour each (semantics.json -> semantics-expected.json)."""
    with open(os.path.join(ROOT, "semantics.json"), encoding="utf-8") as f:
        cases = json.load(f)
    expected = {}
    for case in cases:
        try:
            expected[case["name"]] = {"output": compile_template(case["template"]).render(**case["variables"])}
        except Raised as e:
            expected[case["name"]] = {"raise_exception": str(e)}
        except jinja2.exceptions.TemplateError as e:
            if type(e) is jinja2.exceptions.TemplateError:
                expected[case["name"]] = {"raise_exception": str(e)}
            else:
                expected[case["name"]] = {"error": type(e).__name__ + ": " + str(e)}
        except Exception as e:
            expected[case["name"]] = {"error": type(e).__name__ + ": " + str(e)}
    with open(os.path.join(ROOT, "semantics-expected.json"), "w", encoding="utf-8", newline="") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
