# Writes the .npy fixtures in test/golden/npy/ with NumPy itself (run by hand: python3 scripts/make-golden-npy.py).
# The tests read them with npy.read and compare against the values below, which the tests rebuild in JS.
import numpy as np

out = 'test/golden/npy/'
np.save(out + 'f32-2x3.npy', np.arange(6, dtype='<f4').reshape(2, 3))
np.save(out + 'i64-5.npy', np.array([-2**63, -1, 0, 1, 2**63 - 1], dtype='<i8'))
np.save(out + 'bool-4.npy', np.array([True, False, False, True]))
np.save(out + 'f16-2x2.npy', np.array([[1, -2], [65504, 0.5]], dtype='<f2'))
np.save(out + 'u8-scalar.npy', np.array(7, dtype='u1'))
np.save(out + 'f64-0x3.npy', np.zeros((0, 3), dtype='<f8'))
np.save(out + 'u16-long-shape.npy', np.arange(2 * 3 * 4 * 5 * 6 * 7, dtype='<u2').reshape(2, 3, 4, 5, 6, 7))
np.save(out + 'f32-fortran.npy', np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3)))
np.save(out + 'f32-big-endian.npy', np.arange(3, dtype='>f4'))
