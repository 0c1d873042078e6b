package dev.tollgate.bench.harness;

import java.util.ArrayList;
import java.util.List;

/** A titled table rendered as aligned text for the console or as Markdown. */
public final class Table {
    final String title;
    final List<String> headers;
    final int textColumns; // leading columns aligned left
    final List<List<String>> rows = new ArrayList<>();

    public Table(String title, int textColumns, String... headers) {
        this.title = title;
        this.textColumns = textColumns;
        this.headers = List.of(headers);
    }

    /** Leading text columns and a trailing "notes" column align left; numbers align right. */
    private boolean left(int i) {
        return i < textColumns || headers.get(i).equals("notes");
    }

    public void add(String... cells) {
        if (cells.length != headers.size()) throw new IllegalArgumentException("row width");
        rows.add(List.of(cells));
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public String text() {
        int n = headers.size();
        int[] w = new int[n];
        for (int i = 0; i < n; i++) w[i] = headers.get(i).length();
        for (List<String> r : rows) {
            for (int i = 0; i < n; i++) w[i] = Math.max(w[i], r.get(i).length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(title).append('\n');
        line(sb, headers, w);
        int total = 0;
        for (int x : w) total += x + 2;
        sb.append("-".repeat(Math.max(0, total - 2))).append('\n');
        for (List<String> r : rows) line(sb, r, w);
        return sb.toString();
    }

    private void line(StringBuilder sb, List<String> cells, int[] w) {
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            String pad = " ".repeat(w[i] - c.length());
            if (left(i)) sb.append(c).append(pad);
            else sb.append(pad).append(c);
            if (i < cells.size() - 1) sb.append("  ");
        }
        sb.append('\n');
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("### ").append(title).append("\n\n|");
        for (String h : headers) sb.append(' ').append(h).append(" |");
        sb.append("\n|");
        for (int i = 0; i < headers.size(); i++) sb.append(left(i) ? "---|" : "---:|");
        sb.append('\n');
        for (List<String> r : rows) {
            sb.append('|');
            for (String c : r) sb.append(' ').append(c.replace("|", "\\|")).append(" |");
            sb.append('\n');
        }
        return sb.toString();
    }
}
