package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.policy.PolicyHash;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCommandTest {
    @TempDir
    Path dir;

    @Test
    void lintAcceptsAValidCatalog() throws Exception {
        Path f = Files.writeString(dir.resolve("ok.yaml"), "profiles:\n  - id: docs\n    tools: [git]\nclasses: {draft: docs}\n");
        CliResult r = CliResult.run("policy", "lint", f.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains(f + ": valid (4 profiles, 0 templates)");
    }

    @Test
    void lintPrintsEveryProblemAsFileLineMessageAndExitsTwo() throws Exception {
        Path f = Files.writeString(dir.resolve("bad.yaml"), "profiles:\n  - id: x\n    network: {mode: open}\n    limits: {pids: many}\n");
        CliResult r = CliResult.run("policy", "lint", f.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines()).containsExactly(
                f + ":3: profiles[0].network.mode: 'open' is not valid; expected none or allowlist",
                f + ":4: profiles[0].limits.pids: 'many' is not valid; expected a positive whole number");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void lintOfAMissingFileIsAUsageError() {
        CliResult r = CliResult.run("policy", "lint", dir.resolve("nope.yaml").toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("nope.yaml:0: (file):", "expected a catalog YAML file");
    }

    @Test
    void showJsonCarriesThePolicyHashOfTheBuiltInProfile() throws Exception {
        CliResult r = CliResult.run("policy", "show", "--class", "Delivery", "--json");
        assertThat(r.exitCode()).isZero();
        JsonNode json = CanonicalJson.mapper().readTree(r.out());
        String expected = PolicyHash.of(DefaultCatalog.get().profileFor(ExecutionClass.DELIVERY).orElseThrow());
        assertThat(json.get("policyHash").asText()).isEqualTo(expected);
        assertThat(json.get("profile").get("id").asText()).isEqualTo(DefaultCatalog.DELIVERY);
        assertThat(json.get("profile").get("approval").get("mode").asText()).isEqualTo("owner");
        assertThat(json.get("executionClass").asText()).isEqualTo("delivery");
    }

    @Test
    void showUsesTheGivenCatalog() throws Exception {
        String yaml = "profiles:\n  - id: docs\n    tools: [git]\nclasses: {draft: docs}\n";
        Path f = Files.writeString(dir.resolve("c.yaml"), yaml);
        CliResult r = CliResult.run("policy", "show", "--class", "draft", "--catalog", f.toString());
        assertThat(r.exitCode()).isZero();
        String hash = PolicyHash.of(CatalogParser.parse("x", yaml).find("docs").orElseThrow());
        assertThat(r.out()).contains("profile:     docs (version 1)", "policyHash:  " + hash, "\"git\"");
    }

    @Test
    void showWithAnInvalidCatalogExitsTwoWithTheProblems() throws Exception {
        Path f = Files.writeString(dir.resolve("c.yaml"), "profiles: 3\n");
        CliResult r = CliResult.run("policy", "show", "--class", "draft", "--catalog", f.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains(f + ":1: profiles: '3' is not valid; expected a list of mappings");
    }

    @Test
    void unknownClassNamesTheValueAndTheAcceptedOnes() {
        CliResult r = CliResult.run("policy", "show", "--class", "root");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("execution class 'root' is not known; expected one of draft, delivery, privileged");
    }

    @Test
    void helpAndVersion() {
        CliResult help = CliResult.run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: agentgate", "policy", "Exit codes:", "3   policy denied");
        CliResult version = CliResult.run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).matches("agentgate \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R");
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        CliResult r = CliResult.run("frobnicate");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Unmatched argument", "frobnicate");
    }
}
