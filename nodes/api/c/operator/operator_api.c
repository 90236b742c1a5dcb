/*
 * The functions operators call (operator_types.h), compiled into the
 * operator library. The layouts of `Input` and `Output` below are the
 * contract with dora's runtime (nodes/runtime/ts/shared_library_operator.ts).
 */
#include <stdlib.h>
#include <string.h>
#include "operator_types.h"

/* An input as the runtime passes it: a NUL-terminated id and the data's
 * bytes (NULL and 0 for an empty message such as a timer tick). */
struct Input {
    const char *id;
    const uint8_t *data;
    size_t len;
};

/* An output as the runtime's callback receives it (by value). */
struct Output {
    const char *id;
    const uint8_t *data;
    size_t len;
};

static DoraResult_t dora_error(const char *message) {
    DoraResult_t result = {NULL};
    Vec_uint8_t *error = malloc(sizeof(Vec_uint8_t));
    size_t len = strlen(message);
    if (error == NULL) return result;
    error->ptr = malloc(len);
    if (error->ptr != NULL) memcpy(error->ptr, message, len);
    error->len = error->ptr != NULL ? len : 0;
    error->cap = error->len;
    result.error = error;
    return result;
}

char *dora_read_input_id(Input_t const *input) {
    return strdup(input->id);
}

void dora_free_input_id(char *input_id) {
    free(input_id);
}

Vec_uint8_t dora_read_data(Input_t *input) {
    Vec_uint8_t data = {NULL, 0, 0};
    if (input->data == NULL) return data;
    data.ptr = malloc(input->len > 0 ? input->len : 1);
    if (data.ptr == NULL) return data;
    memcpy(data.ptr, input->data, input->len);
    data.len = input->len;
    data.cap = input->len;
    return data;
}

void dora_free_data(Vec_uint8_t data) {
    free(data.ptr);
}

DoraResult_t dora_send_operator_output(SendOutput_t const *send_output,
                                       char const *id,
                                       uint8_t const *data_ptr,
                                       size_t data_len) {
    if (send_output == NULL || id == NULL) {
        return dora_error("dora_send_operator_output: send_output and id must not be NULL");
    }
    if (data_len > 0 && data_ptr == NULL) {
        return dora_error("dora_send_operator_output: data_ptr is NULL with a non-zero data_len");
    }
    struct Output output = {id, data_len > 0 ? data_ptr : NULL, data_len};
    return send_output->send_output.call(send_output->send_output.env_ptr, output);
}
