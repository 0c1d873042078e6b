package dev.tollgate.kernel.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The children of one family, by label values, at most {@code max} of them plus one overflow child.
 *
 * <p>Lookups read an open-addressing table without locking and without allocating: the probe is
 * the caller's own values array, compared element by element with the stored copies. Inserts are
 * rare (once per combination) and take the table's monitor; they publish a new entry into the
 * current array, or a new array when the table is half full. Entries are immutable, so a reader
 * racing an insert sees either nothing (and then takes the monitor) or a complete entry.
 */
final class LabelTable<C> {

    static final String OTHER = "__other__";

    private record Entry<C>(int hash, String[] values, C child) {}

    private final int arity;
    private final int max;
    private final Function<List<String>, C> create;
    private final Runnable onOverflow;
    private volatile Object[] table = new Object[8];
    private volatile C overflow;
    private volatile boolean full;
    private int size;

    LabelTable(int arity, int max, Function<List<String>, C> create, Runnable onOverflow) {
        this.arity = arity;
        this.max = max;
        this.create = create;
        this.onOverflow = onOverflow;
    }

    C get(String... values) {
        if (values.length != arity) {
            throw new IllegalArgumentException("expected " + arity + " label values, got " + values.length);
        }
        int h = Arrays.hashCode(values);
        C found = find(table, values, h);
        if (found != null) {
            return found;
        }
        return miss(values);
    }

    /**
     * Stored values are clean, so a hit above proves the values needed no cleaning; only a miss
     * pays for checking them.
     */
    private C miss(String[] values) {
        String[] clean = LabelValues.sanitize(values);
        int h = Arrays.hashCode(clean);
        if (clean != values) {
            C found = find(table, clean, h);
            if (found != null) {
                return found;
            }
        }
        if (full) {
            C o = overflow;
            if (o != null) {
                onOverflow.run();
                return o;
            }
        }
        return insert(clean, h);
    }

    @SuppressWarnings("unchecked")
    private static <C> C find(Object[] t, String[] values, int h) {
        int mask = t.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            Entry<C> e = (Entry<C>) t[i];
            if (e == null) {
                return null;
            }
            if (e.hash == h && same(e.values, values)) {
                return e.child;
            }
        }
    }

    private static boolean same(String[] a, String[] b) {
        for (int i = 0; i < a.length; i++) {
            if (!a[i].equals(b[i])) {
                return false;
            }
        }
        return true;
    }

    private synchronized C insert(String[] values, int h) {
        C found = find(table, values, h);
        if (found != null) {
            return found;
        }
        if (size >= max) {
            if (overflow == null) {
                String[] other = new String[arity];
                Arrays.fill(other, OTHER);
                overflow = create.apply(List.of(other));
            }
            full = true;
            onOverflow.run();
            return overflow;
        }
        String[] copy = values.clone();
        C child = create.apply(List.of(copy));
        Object[] t = table;
        if ((size + 1) * 2 > t.length) {
            t = rehash(t, t.length * 2);
        }
        place(t, new Entry<>(h, copy, child));
        table = t;
        size++;
        return child;
    }

    @SuppressWarnings("unchecked")
    private static Object[] rehash(Object[] old, int length) {
        Object[] t = new Object[length];
        for (Object o : old) {
            if (o != null) {
                place(t, (Entry<Object>) o);
            }
        }
        return t;
    }

    private static void place(Object[] t, Entry<?> e) {
        int mask = t.length - 1;
        int i = e.hash & mask;
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        t[i] = e;
    }

    /** Every child with its label values, the overflow child last; unordered otherwise. */
    @SuppressWarnings("unchecked")
    List<Labeled<C>> snapshot() {
        List<Labeled<C>> out = new ArrayList<>();
        for (Object o : table) {
            if (o != null) {
                Entry<C> e = (Entry<C>) o;
                out.add(new Labeled<>(List.of(e.values), e.child));
            }
        }
        C o = overflow;
        if (o != null) {
            String[] other = new String[arity];
            Arrays.fill(other, OTHER);
            out.add(new Labeled<>(List.of(other), o));
        }
        return out;
    }

    record Labeled<C>(List<String> values, C child) {}
}
