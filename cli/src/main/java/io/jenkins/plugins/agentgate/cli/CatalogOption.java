package io.jenkins.plugins.agentgate.cli;

import io.jenkins.plugins.agentgate.core.profile.CatalogException;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --catalog FILE}, falling back to $AGENTGATE_CATALOG and then to the built-in profiles. */
public final class CatalogOption {
    @Option(names = "--catalog", paramLabel = "FILE",
            description = "Profile catalog YAML (default: $AGENTGATE_CATALOG, else the built-in profiles).")
    Path catalog;

    /** The catalog file in effect, or null for the built-in one. */
    public Path file() {
        if (catalog != null) {
            return catalog;
        }
        String env = System.getenv("AGENTGATE_CATALOG");
        return env == null || env.isBlank() ? null : Path.of(env);
    }

    /**
     * Loads the catalog in effect.
     *
     * @throws CatalogException when it is invalid (exit 2 with every problem)
     * @throws IOException when it cannot be read
     */
    public ProfileCatalog load() throws CatalogException, IOException {
        Path f = file();
        if (f == null) {
            return DefaultCatalog.get();
        }
        if (!Files.isRegularFile(f)) {
            throw new java.io.FileNotFoundException("catalog file '" + f + "' does not exist or is not a regular file");
        }
        return CatalogParser.load(f);
    }

    /**
     * Loads the catalog in effect, or reports why it cannot be used — every problem as {@code file:line: ...}, or
     * the read error — and returns null; callers then exit with {@link ExitCodes#USAGE}.
     */
    public ProfileCatalog loadOrReport(PrintWriter err) {
        try {
            return load();
        } catch (CatalogException e) {
            e.problems().forEach(p -> err.println(p.format()));
        } catch (IOException e) {
            err.println("agentgate: " + e.getMessage());
        }
        return null;
    }
}
