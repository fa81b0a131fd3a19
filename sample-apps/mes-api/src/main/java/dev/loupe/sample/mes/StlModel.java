package dev.loupe.sample.mes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A binary STL mesh, as the shop's 3D editor exports it: enough to know how much metal a piece needs. */
final class StlModel {

  private static final int HEADER = 80;
  private static final int TRIANGLE = 50;

  private StlModel() {}

  /**
   * The enclosed volume in cubic millimetres (the signed-tetrahedron sum over all triangles).
   *
   * @throws IllegalArgumentException if the bytes are not a binary STL mesh
   */
  static double volumeMm3(byte[] stl) {
    if (stl.length < HEADER + 4) {
      throw new IllegalArgumentException("too short for a binary STL file (" + stl.length + " bytes)");
    }
    ByteBuffer b = ByteBuffer.wrap(stl).order(ByteOrder.LITTLE_ENDIAN);
    long triangles = Integer.toUnsignedLong(b.getInt(HEADER));
    if (triangles == 0 || stl.length != HEADER + 4 + triangles * TRIANGLE) {
      throw new IllegalArgumentException("not a binary STL file: " + triangles + " triangles declared in "
          + stl.length + " bytes");
    }
    double sum = 0;
    for (long t = 0; t < triangles; t++) {
      int at = (int) (HEADER + 4 + t * TRIANGLE + 12); // skip the facet normal
      double ax = b.getFloat(at), ay = b.getFloat(at + 4), az = b.getFloat(at + 8);
      double bx = b.getFloat(at + 12), by = b.getFloat(at + 16), bz = b.getFloat(at + 20);
      double cx = b.getFloat(at + 24), cy = b.getFloat(at + 28), cz = b.getFloat(at + 32);
      sum += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
    }
    return Math.abs(sum) / 6.0;
  }
}
