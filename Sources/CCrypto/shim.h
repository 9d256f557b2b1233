// SHA-256's own functions (SHA256_Init, SHA256_Update, SHA256_Final): OpenSSL 3 marks
// them deprecated in favour of EVP_MD_fetch, whose provider set-up and configuration
// file cost every process about 0.6 ms; these need neither.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
