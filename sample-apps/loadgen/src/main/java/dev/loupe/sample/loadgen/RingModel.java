package dev.loupe.sample.loadgen;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A plain ring band as a binary STL mesh, the format the shop's 3D editor uploads. */
public final class RingModel {

  private static final int SEGMENTS = 48;

  private RingModel() {}

  /**
   * A closed band: a hollow cylinder of the given inner diameter, wall thickness and width (millimetres).
   * Its true volume is {@code pi * (R^2 - r^2) * width}; the mesh approximates it from the inside.
   */
  public static byte[] band(double innerDiameter, double thickness, double width) {
    double r = innerDiameter / 2;
    double outer = r + thickness;
    int triangles = SEGMENTS * 8;
    ByteBuffer b = ByteBuffer.allocate(84 + triangles * 50).order(ByteOrder.LITTLE_ENDIAN);
    byte[] header = "loupe sample ring band".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    b.put(header).position(80).putInt(triangles);
    for (int i = 0; i < SEGMENTS; i++) {
      double a0 = 2 * Math.PI * i / SEGMENTS;
      double a1 = 2 * Math.PI * (i + 1) / SEGMENTS;
      float[] o0b = point(outer, a0, 0), o1b = point(outer, a1, 0), o0t = point(outer, a0, width), o1t = point(outer, a1, width);
      float[] i0b = point(r, a0, 0), i1b = point(r, a1, 0), i0t = point(r, a0, width), i1t = point(r, a1, width);
      // outside wall, facing out
      quad(b, o0b, o1b, o1t, o0t);
      // inside wall, facing the finger
      quad(b, i1b, i0b, i0t, i1t);
      // top and bottom rims
      quad(b, o0t, o1t, i1t, i0t);
      quad(b, i0b, i1b, o1b, o0b);
    }
    return b.array();
  }

  private static float[] point(double radius, double angle, double z) {
    return new float[] {(float) (radius * Math.cos(angle)), (float) (radius * Math.sin(angle)), (float) z};
  }

  private static void quad(ByteBuffer b, float[] p0, float[] p1, float[] p2, float[] p3) {
    triangle(b, p0, p1, p2);
    triangle(b, p0, p2, p3);
  }

  private static void triangle(ByteBuffer b, float[] p0, float[] p1, float[] p2) {
    b.putFloat(0).putFloat(0).putFloat(0); // readers recompute normals from the winding
    for (float[] p : new float[][] {p0, p1, p2}) {
      b.putFloat(p[0]).putFloat(p[1]).putFloat(p[2]);
    }
    b.putShort((short) 0);
  }
}
