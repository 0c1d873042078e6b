package dev.tollgate.plugin.mock;

/** Deterministic unit vectors. */
final class Vectors {

    private Vectors() {}

    /** A vector of {@code dimensions} floats with L2 norm 1 (up to float rounding), a function of {@code seed} only. */
    static float[] unit(long seed, int dimensions) {
        double[] v = new double[dimensions];
        double sumSquares = 0;
        long state = seed;
        for (int i = 0; i < dimensions; i++) {
            state += 0x9e3779b97f4a7c15L;
            v[i] = TextHash.unit(TextHash.splitMix(state)) * 2 - 1;
            sumSquares += v[i] * v[i];
        }
        float[] out = new float[dimensions];
        if (sumSquares == 0) {
            out[0] = 1;
            return out;
        }
        double norm = Math.sqrt(sumSquares);
        for (int i = 0; i < dimensions; i++) {
            out[i] = (float) (v[i] / norm);
        }
        return out;
    }
}
