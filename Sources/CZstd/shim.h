#define ZSTD_STATIC_LINKING_ONLY
#define ZDICT_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>
#include <zdict.h>
#include <string.h>

/* Parameters from zstd's experimental API, wrapped here because Swift does not import
   macros that alias enum constants. */

/* Frames written with a dictionary are "lean": no magic number, no dictionary id, no
   checksum (the hash chain covers the content), content size kept. */
static inline size_t meetlog_zstd_cctx_lean(ZSTD_CCtx *cctx) {
  size_t rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_format, ZSTD_f_zstd1_magicless);
  if (ZSTD_isError(rc)) return rc;
  rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_dictIDFlag, 0);
  if (ZSTD_isError(rc)) return rc;
  rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 0);
  if (ZSTD_isError(rc)) return rc;
  return ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
}

static inline size_t meetlog_zstd_dctx_lean(ZSTD_DCtx *dctx) {
  return ZSTD_DCtx_setParameter(dctx, ZSTD_d_format, ZSTD_f_zstd1_magicless);
}

/* The content size a frame records: returns 0 and sets *size, or non-zero when the
   bytes are not a frame header of that format (or do not record the size). */
static inline int meetlog_zstd_content_size(const void *src, size_t len, int lean, unsigned long long *size) {
  ZSTD_frameHeader header;
  memset(&header, 0, sizeof header);
  size_t rc = ZSTD_getFrameHeader_advanced(&header, src, len, lean ? ZSTD_f_zstd1_magicless : ZSTD_f_zstd1);
  if (rc != 0) return 1;
  if (header.frameType != ZSTD_frame) return 1;
  if (header.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN) return 2;
  *size = header.frameContentSize;
  return 0;
}

/* fastCover training with fixed parameters (k=200, d=8): about 0.1 s for 5,000 events. */
static inline size_t meetlog_zdict_train(void *dict, size_t capacity, const void *samples, const size_t *sizes,
                                         unsigned count, int level) {
  ZDICT_fastCover_params_t params;
  memset(&params, 0, sizeof params);
  params.k = 200;
  params.d = 8;
  params.f = 20;
  params.accel = 1;
  params.zParams.compressionLevel = level;
  return ZDICT_trainFromBuffer_fastCover(dict, capacity, samples, sizes, count, params);
}
