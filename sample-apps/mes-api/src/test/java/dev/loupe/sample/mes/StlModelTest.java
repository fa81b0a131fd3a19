package dev.loupe.sample.mes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class StlModelTest {

  /** A cube with the given edge, as 12 outward-facing triangles. */
  static byte[] cube(float e) {
    float[][] v = {{0, 0, 0}, {e, 0, 0}, {e, e, 0}, {0, e, 0}, {0, 0, e}, {e, 0, e}, {e, e, e}, {0, e, e}};
    int[][] faces = {{0, 2, 1}, {0, 3, 2}, {4, 5, 6}, {4, 6, 7}, {0, 1, 5}, {0, 5, 4},
        {1, 2, 6}, {1, 6, 5}, {2, 3, 7}, {2, 7, 6}, {3, 0, 4}, {3, 4, 7}};
    ByteBuffer b = ByteBuffer.allocate(84 + faces.length * 50).order(ByteOrder.LITTLE_ENDIAN);
    b.position(80).putInt(faces.length);
    for (int[] f : faces) {
      b.putFloat(0).putFloat(0).putFloat(0);
      for (int i : f) {
        b.putFloat(v[i][0]).putFloat(v[i][1]).putFloat(v[i][2]);
      }
      b.putShort((short) 0);
    }
    return b.array();
  }

  @Test
  void volumeOfACubeIsItsEdgeCubed() {
    assertThat(StlModel.volumeMm3(cube(10))).isCloseTo(1000, within(1e-6));
  }

  @Test
  void anythingButABinaryStlIsRefused() {
    assertThatThrownBy(() -> StlModel.volumeMm3("solid ring\nendsolid".getBytes()))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] truncated = java.util.Arrays.copyOf(cube(10), 300);
    assertThatThrownBy(() -> StlModel.volumeMm3(truncated)).hasMessageContaining("not a binary STL");
  }
}
