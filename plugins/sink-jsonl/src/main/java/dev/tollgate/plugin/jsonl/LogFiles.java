package dev.tollgate.plugin.jsonl;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the log files: {@code requests-YYYY-MM-DD.jsonl} for a day's first file, then
 * {@code requests-YYYY-MM-DD.1.jsonl}, {@code .2.jsonl}… as each reaches the size limit.
 */
final class LogFiles {

    private static final Pattern NAME = Pattern.compile("requests-(\\d{4}-\\d{2}-\\d{2})(?:\\.(\\d{1,9}))?\\.jsonl");

    /** A day's file number {@code index} (0 for the first). */
    record Name(LocalDate day, int index) {

        String fileName() {
            return "requests-" + day + (index == 0 ? "" : "." + index) + ".jsonl";
        }
    }

    private LogFiles() {}

    static Path path(Path dir, LocalDate day, int index) {
        return dir.resolve(new Name(day, index).fileName());
    }

    /** The day and number of a log file, or empty for any other file (which the sink never touches). */
    static Optional<Name> parse(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Name(LocalDate.parse(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2))));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
