"""Audio frames, resampling, and the source/sink seam behind which WAV, ALSA, RTVI and null I/O live."""
