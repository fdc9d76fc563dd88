package io.jenkins.plugins.agentgate.core.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.agentgate.core.profile.ArgumentConstraint;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pure decision on a tool call: (tool name, JSON arguments) → allowed or denied, with the rule and a
 * reason. Only declared tools pass, and only when every constrained argument is present and within its
 * constraint; arguments without a constraint are passed as given. No I/O, no state: the gateway calls it
 * for every {@code tools/call}, and property tests check that nothing outside the declaration passes.
 */
public final class ToolDecider {
    private final Map<String, McpTool> tools = new TreeMap<>();

    public ToolDecider(List<McpTool> declared) {
        for (McpTool t : declared) {
            tools.put(t.name(), t);
        }
    }

    public ToolDecision decide(String toolName, JsonNode arguments) {
        McpTool tool = toolName == null ? null : tools.get(toolName);
        if (tool == null) {
            return ToolDecision.deny(ToolRules.NOT_DECLARED, "tool '" + toolName + "' is not declared; the run allows "
                    + tools.keySet());
        }
        if (arguments != null && !arguments.isNull() && !arguments.isMissingNode() && !arguments.isObject()) {
            return ToolDecision.deny(ToolRules.ARGUMENT_TYPE, "arguments must be a JSON object, not " + arguments.getNodeType());
        }
        for (Map.Entry<String, ArgumentConstraint> e : tool.args().entrySet()) {
            String name = e.getKey();
            JsonNode v = arguments == null ? null : arguments.get(name);
            if (v == null || v.isNull()) {
                return ToolDecision.deny(ToolRules.ARGUMENT_MISSING, "argument '" + name + "' is required by its constraint");
            }
            ToolDecision d = check(name, v, e.getValue());
            if (d != null) {
                return d;
            }
        }
        return new ToolDecision(ToolVerdict.ALLOWED, ToolRules.ALLOWED, "declared by the profile"
                + (tool.args().isEmpty() ? "" : "; arguments " + tool.args().keySet() + " within their constraints"));
    }

    private static ToolDecision check(String name, JsonNode v, ArgumentConstraint c) {
        if (!c.prefix().isEmpty()) {
            if (!v.isTextual()) {
                return ToolDecision.deny(ToolRules.ARGUMENT_TYPE, "argument '" + name + "' must be a string path, not "
                        + v.getNodeType());
            }
            String path = ArgumentConstraint.normalisePath(v.textValue());
            if (path == null) {
                return ToolDecision.deny(ToolRules.ARGUMENT_PREFIX, "argument '" + name + "' is a path with a '..' segment, a"
                        + " leading '~' or a NUL; expected a path under " + c.prefix());
            }
            if (c.prefix().stream().noneMatch(p -> ArgumentConstraint.isUnder(path, p))) {
                return ToolDecision.deny(ToolRules.ARGUMENT_PREFIX, "argument '" + name + "' ('" + abbreviate(path)
                        + "') is not under " + c.prefix());
            }
        }
        if (!c.values().isEmpty()) {
            if (!(v.isTextual() || v.isNumber() || v.isBoolean())) {
                return ToolDecision.deny(ToolRules.ARGUMENT_TYPE, "argument '" + name + "' must be a string, number or boolean, not "
                        + v.getNodeType());
            }
            String text = v.asText();
            if (!c.values().contains(text)) {
                return ToolDecision.deny(ToolRules.ARGUMENT_VALUE, "argument '" + name + "' ('" + abbreviate(text)
                        + "') is not one of " + c.values());
            }
        }
        return null;
    }

    /** Reasons go into evidence: keep argument text short (the full arguments are only digested). */
    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
