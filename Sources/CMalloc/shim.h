// glibc's allocator tuning (mallopt), which the Glibc module does not export: the costwh
// executable fixes the mmap threshold at start (Sources/costwh/Costwh.swift).
#include <malloc.h>
