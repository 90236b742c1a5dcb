/*
 * dora operator C API: an operator is a shared library exporting these three
 * functions. Build it with operator_api.c:
 *
 *   cc -shared -fPIC -o build/libmy_op.so my_op.c operator_api.c
 *
 * and name it in the dataflow without prefix and suffix:
 * `shared-library: build/my_op`.
 */
#ifndef DORA_OPERATOR_API_H
#define DORA_OPERATOR_API_H
#ifdef __cplusplus
extern "C" {
#endif

#include <stddef.h>
#include "operator_types.h"

#ifdef _WIN32
#define EXPORT __declspec(dllexport)
#else
#define EXPORT __attribute__((visibility("default")))
#endif

/* Creates the operator; `operator_context` is handed to the other two. */
EXPORT DoraInitResult_t dora_init_operator(void);

/* Frees the operator (after its last event). */
EXPORT DoraResult_t dora_drop_operator(void *operator_context);

/* Handles one event; send outputs with dora_send_operator_output. */
EXPORT OnEventResult_t dora_on_event(RawEvent_t *event,
                                     const SendOutput_t *send_output,
                                     void *operator_context);

#ifdef __cplusplus
}
#endif
#endif
