/* fuzz_taskd_request: requests to the task service through server_dispatch(),
 * in the structured form of fuzz_service.h (raw envelopes included). */
#include "fuzz_specs.h"

static fuzz_service_t s_fs;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_quiet();
    fuzz_service_start(&s_fs, &fuzz_taskd_spec);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_service_begin_input(&s_fs);
    fuzz_service_input(&s_fs, data, size);
    return 0;
}
