package dev.tollgate.plugin.mock;

/** The mock's tokenizer: one token per whitespace-separated word. */
final class Words {

    private Words() {}

    static long count(String s) {
        long n = 0;
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            boolean space = Character.isWhitespace(s.charAt(i));
            if (!space && !inWord) {
                n++;
            }
            inWord = !space;
        }
        return n;
    }
}
