package dev.tollgate.bench;

import dev.tollgate.bench.harness.Harness;
import dev.tollgate.bench.harness.Options;

/** Entry point of the benchmark harness; see bench/README.md and {@code --help}. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (Options.HelpRequested h) {
            System.out.print(optionsUsage());
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(64);
            return;
        }
        try {
            int rc = new Harness(o).run();
            System.exit(rc);
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println("\nbench: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("\nbench failed:");
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static String optionsUsage() {
        return Options.USAGE;
    }
}
