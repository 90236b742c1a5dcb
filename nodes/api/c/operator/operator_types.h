/*
 * dora operator C ABI: the types shared by an operator library and the
 * runtime that loads it (the original dora's layout, so operators written
 * for it compile unchanged). `Input` and `Output` are opaque: read and send
 * through the functions of operator_api.h.
 */
#ifndef DORA_OPERATOR_TYPES_H
#define DORA_OPERATOR_TYPES_H
#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An owned byte buffer. */
typedef struct Vec_uint8 {
    uint8_t *ptr;
    size_t len;
    size_t cap;
} Vec_uint8_t;

/* `error` is NULL on success, else a message. */
typedef struct DoraResult {
    Vec_uint8_t *error;
} DoraResult_t;

typedef struct DoraInitResult {
    DoraResult_t result;
    void *operator_context;
} DoraInitResult_t;

typedef struct DoraInitOperator {
    DoraInitResult_t (*init_operator)(void);
} DoraInitOperator_t;

typedef struct DoraDropOperator {
    DoraResult_t (*drop_operator)(void *);
} DoraDropOperator_t;

/* What `dora_on_event` returns (one byte). */
enum DoraStatus {
    DORA_STATUS_CONTINUE = 0,
    DORA_STATUS_STOP = 1,
    DORA_STATUS_STOP_ALL = 2,
};
typedef uint8_t DoraStatus_t;

typedef struct OnEventResult {
    DoraResult_t result;
    DoraStatus_t status;
} OnEventResult_t;

typedef struct Input Input_t;
typedef struct Output Output_t;

/* One event: exactly one of `input`, `input_closed` (an input id, not
 * NUL-terminated), `stop` and `error` is set. */
typedef struct RawEvent {
    Input_t *input;
    Vec_uint8_t input_closed;
    bool stop;
    Vec_uint8_t error;
} RawEvent_t;

/* A shared callable taking an Output (call it through
 * dora_send_operator_output). */
typedef struct ArcDynFn1_DoraResult_Output {
    void *env_ptr;
    DoraResult_t (*call)(void *, Output_t);
    void (*release)(void *);
    void (*retain)(void *);
} ArcDynFn1_DoraResult_Output_t;

typedef struct SendOutput {
    ArcDynFn1_DoraResult_Output_t send_output;
} SendOutput_t;

typedef struct DoraOnEvent {
    OnEventResult_t (*on_event)(RawEvent_t *, SendOutput_t const *, void *);
} DoraOnEvent_t;

typedef struct Metadata {
    Vec_uint8_t open_telemetry_context;
} Metadata_t;

/* Reading inputs and sending outputs (operator_api.c). */
char *dora_read_input_id(Input_t const *input);
void dora_free_input_id(char *input_id);
Vec_uint8_t dora_read_data(Input_t *input);
void dora_free_data(Vec_uint8_t data);
DoraResult_t dora_send_operator_output(SendOutput_t const *send_output,
                                       char const *id,
                                       uint8_t const *data_ptr,
                                       size_t data_len);

#ifdef __cplusplus
}
#endif
#endif
