package io.jenkins.plugins.agentgate.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.policy.PolicyHash;
import io.jenkins.plugins.agentgate.core.profile.CatalogException;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.ConfigProblem;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentgate policy lint|show}. */
@Command(name = "policy", description = "Check and inspect the profile catalog.", mixinStandardHelpOptions = true,
        subcommands = {PolicyCommand.Lint.class, PolicyCommand.Show.class})
final class PolicyCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    @Command(name = "lint", mixinStandardHelpOptions = true,
            description = "Validate a catalog file. Exit 0 when valid; 2 with every problem as file:line: message.")
    static final class Lint implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "Catalog YAML to check.")
        Path file;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!Files.isRegularFile(file)) {
                err.println(file + ":0: (file): '" + file + "' is not a readable file; expected a catalog YAML file");
                return ExitCodes.USAGE;
            }
            try {
                ProfileCatalog c = CatalogParser.load(file);
                out.println(file + ": valid (" + c.profiles().size() + " profiles, " + c.templates().size() + " templates)");
                return ExitCodes.OK;
            } catch (CatalogException e) {
                for (ConfigProblem p : e.problems()) {
                    err.println(p.format());
                }
                return ExitCodes.USAGE;
            } catch (IOException e) {
                err.println(file + ":0: (file): cannot be read (" + e.getMessage() + "); expected a readable catalog file");
                return ExitCodes.USAGE;
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the effective profile of an execution class and its policy hash.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--class", required = true, paramLabel = "CLASS", converter = ClassConverter.class,
                description = "draft, delivery or privileged.")
        ExecutionClass executionClass;

        @Mixin
        CatalogOption catalog;

        @Option(names = "--json", description = "Machine-readable output with a policyHash field.")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            ProfileCatalog c = catalog.loadOrReport(err);
            if (c == null) {
                return ExitCodes.USAGE;
            }
            SandboxProfile p = c.profileFor(executionClass).orElse(null);
            if (p == null) {
                err.println("agentgate: class " + executionClass.id() + " has no profile in " + c.source());
                return ExitCodes.USAGE;
            }
            String hash = PolicyHash.of(p);
            if (json) {
                ObjectNode node = CanonicalJson.mapper().createObjectNode();
                node.put("executionClass", executionClass.id());
                node.put("catalog", c.source());
                node.set("profile", CanonicalJson.mapper().valueToTree(p));
                node.put("policyHash", hash);
                out.println(CanonicalJson.pretty(node));
            } else {
                out.println("class:       " + executionClass.id());
                out.println("catalog:     " + c.source());
                out.println("profile:     " + p.id() + " (version " + p.version() + ")");
                out.println("policyHash:  " + hash);
                out.println(CanonicalJson.pretty(p));
            }
            return ExitCodes.OK;
        }
    }

    /** Turns "Delivery" into {@link ExecutionClass#DELIVERY}, with an error naming the accepted values. */
    static final class ClassConverter implements CommandLine.ITypeConverter<ExecutionClass> {
        @Override
        public ExecutionClass convert(String value) {
            try {
                return ExecutionClass.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
