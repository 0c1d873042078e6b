package dev.tollgate.formats;

/**
 * A document that does not fit its format, or a canonical value the target format cannot carry.
 * The caller decides the status: 400 when the document came from the client, 502 when it came from
 * a provider.
 */
public final class FormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String param;

    public FormatException(String message, String param) {
        super(message);
        this.param = param;
    }

    public FormatException(String message, String param, Throwable cause) {
        super(message, cause);
        this.param = param;
    }

    /** The path of the field at fault (for example {@code messages[2].content[0].type}), or {@code null}. */
    public String param() {
        return param;
    }
}
