package io.jenkins.plugins.agentgate.cli;

import io.jenkins.plugins.agentgate.core.execution.CredentialRequest;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --credential ID=file:PATH | ID=env:NAME}, repeatable; a picocli mixin for {@code agentgate run}:
 * <pre>{@code @Mixin CredentialOptions credentials;}</pre>
 * Each id becomes a {@link CredentialRequest} (TTL and mode from the profile) and an entry of the
 * {@link CliSecretSource} the lease broker reads values from.
 */
public final class CredentialOptions {
    @Option(names = "--credential", paramLabel = "ID=SOURCE", converter = CredentialOptions.Converter.class,
            description = "Lease credential ID for the run, its value read from file:PATH or env:NAME "
                    + "(never given on the command line). Repeatable. See docs/credentials.md.")
    List<CredentialSpec> specs = new ArrayList<>();

    public List<CredentialSpec> specs() {
        return List.copyOf(specs);
    }

    /** What the run asks the policy for: ids only. */
    public List<CredentialRequest> requests() {
        return specs.stream().map(s -> CredentialRequest.of(s.id())).toList();
    }

    /**
     * The source for the broker.
     *
     * @throws IllegalArgumentException when an id is given twice (a usage error, exit 2)
     */
    public CliSecretSource source() {
        return new CliSecretSource(specs);
    }

    /** picocli converter: a parse error becomes picocli's usage error (exit 2) with our message. */
    public static final class Converter implements ITypeConverter<CredentialSpec> {
        @Override
        public CredentialSpec convert(String value) {
            try {
                return CredentialSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
