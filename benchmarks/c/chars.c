/* chars.nyash in C: the text built with sprintf, then every byte compared. */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 150);
    static char text[32768];
    size_t len = 0;
    for (int k = 0; k < 200; k++)
        len += (size_t)sprintf(text + len, "The quick brown fox jumps over the lazy dog %d. ", k);
    int64_t vowels = 0, spaces = 0, digits = 0;
    for (int64_t r = 0; r < n; r++) {
        for (size_t i = 0; i < len; i++) {
            char c = text[i];
            if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') vowels++;
            else if (c == ' ') spaces++;
            if (c >= '0' && c <= '9') digits++;
        }
    }
    printf("%ld\n%ld\n%ld\n", (long)vowels, (long)spaces, (long)digits);
    return 0;
}
