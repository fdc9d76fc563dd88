package io.jenkins.plugins.agentgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Every catalog example in docs/ (fenced as {@code ```yaml catalog}) and in examples/ (*.catalog.yaml) is valid
 * against docs/schema/catalog.schema.json and accepted by {@link CatalogParser}; the schema rejects what the
 * parser rejects for the common mistakes.
 */
class DocsExamplesTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Pattern BLOCK = Pattern.compile("```yaml catalog\\R(.*?)```", Pattern.DOTALL);
    static final ObjectMapper JSON = new ObjectMapper();

    static Schema schema() throws IOException {
        JsonNode node = JSON.readTree(ROOT.resolve("docs/schema/catalog.schema.json").toFile());
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(node);
    }

    static JsonNode yamlToJson(String yaml) {
        Object data = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        return JSON.valueToTree(data);
    }

    record Example(String where, String yaml) {}

    static List<Example> examples() throws IOException {
        List<Example> out = new ArrayList<>();
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            for (Path md : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                String text = Files.readString(md);
                Matcher m = BLOCK.matcher(text);
                int i = 0;
                while (m.find()) {
                    out.add(new Example(ROOT.relativize(md) + "#" + i++, m.group(1)));
                }
            }
        }
        Path examples = ROOT.resolve("examples");
        if (Files.isDirectory(examples)) {
            try (Stream<Path> files = Files.walk(examples)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".catalog.yaml")).sorted().toList()) {
                    out.add(new Example(ROOT.relativize(f).toString(), Files.readString(f)));
                }
            }
        }
        return out;
    }

    @Test
    void docsHaveCatalogExamples() throws IOException {
        assertThat(examples()).hasSizeGreaterThanOrEqualTo(3);
    }

    @TestFactory
    Stream<DynamicTest> everyExampleIsValid() throws IOException {
        Schema schema = schema();
        return examples().stream().map(ex -> DynamicTest.dynamicTest(ex.where(), () -> {
            List<com.networknt.schema.Error> errors = schema.validate(yamlToJson(ex.yaml()));
            assertThat(errors).as("schema errors in %s", ex.where()).isEmpty();
            CatalogParser.parse(ex.where(), ex.yaml());
        }));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "profile: []",
            "profiles: [{version: 1}]",
            "profiles: [{id: a, colour: blue}]",
            "profiles: [{id: a, network: {mode: open}}]",
            "profiles: [{id: a, limits: {memory: lots}}]",
            "profiles: [{id: a, limits: {timeout: soon}}]",
            "profiles: [{id: a, filesystem: {workspace: write-anything}}]",
            "profiles: [{id: a, filesystem: {extraMounts: [relative]}}]",
            "profiles: [{id: Bad_Id}]",
            "profiles: [{id: a, credentials: {injection: [argv]}}]",
            "profiles: [{id: a, approval: {mode: sometimes}}]",
            "profiles: [{id: a, rollback: maybe}]",
            "apiVersion: agentgate/v9",
            "connectors: [{id: a}]",
            "connectors: [{id: a, command: [x], url: 'http://127.0.0.1/mcp'}]",
            "connectors: [{id: a, url: 'http://127.0.0.1/mcp', credentials: [{id: t, env: T}]}]",
            "connectors: [{id: a, command: [x], colour: red}]",
            "connectors: [{id: a, command: [x]}]\nprofiles: [{id: p, tools: [{name: t, connector: a, args: {path: {prefix: [../x]}}}]}]",
            "connectors: [{id: a, command: [x]}]\nprofiles: [{id: p, tools: [{name: t, connector: a, args: {path: {}}}]}]",
            "profiles: [{id: p, tools: [{name: t}]}]",
    })
    void schemaRejectsWhatTheParserRejects(String yaml) throws Exception {
        assertThat(schema().validate(yamlToJson(yaml))).as("schema errors").isNotEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CatalogParser.parse("x.yaml", yaml))
                .isInstanceOf(io.jenkins.plugins.agentgate.core.profile.CatalogException.class);
    }
}
