// Native reference figures for wasm/bench/kawpow-bench.ts: KawPow light verification and
// light-cache build time of RavenCommunity/cpp-kawpow (the library Ravencoin embeds), on the
// same machine as the WASM figures. This file is Otedama's harness only; the library is not
// part of the repository. With a checkout of cpp-kawpow in $CPP_KAWPOW (its C files with gcc,
// the rest with g++):
//
//   for f in lib/ethash/primes.c lib/keccak/keccak.c lib/keccak/keccakf800.c lib/keccak/keccakf1600.c; do
//     gcc -O3 -march=native -I$CPP_KAWPOW/include -c $CPP_KAWPOW/$f -o /tmp/kawpow-$(basename $f .c).o
//   done
//   g++ -O3 -march=native -std=c++17 -I$CPP_KAWPOW/include -I$CPP_KAWPOW/lib \
//     wasm/bench/native/kawpow-native-bench.cpp $CPP_KAWPOW/lib/ethash/{ethash,progpow,managed}.cpp \
//     /tmp/kawpow-*.o -lpthread -o /tmp/kawpow-native-bench
//
// Usage: kawpow-native-bench <epoch> <verifications>; prints one JSON line.
#include <ethash/ethash.hpp>
#include <ethash/progpow.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv)
{
    const int epoch = argc > 1 ? std::atoi(argv[1]) : 0;
    const int count = argc > 2 ? std::atoi(argv[2]) : 200;
    using clock = std::chrono::steady_clock;

    const auto t0 = clock::now();
    const auto context = ethash::create_epoch_context(epoch);
    const double build_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
    if (!context)
        return 1;

    const int height = epoch * 7500 + 1;
    ethash::hash256 header{};
    ethash::hash256 boundary{};
    for (auto& b : boundary.bytes)
        b = 0xff;

    // One valid share per nonce, then time verify() on each (the final hash check passes, so
    // every call runs the light evaluation, as for an honest share).
    std::vector<progpow::result> results;
    for (int i = 0; i < count; ++i)
    {
        header.word32s[0] = static_cast<uint32_t>(i);
        results.push_back(progpow::hash(*context, height, header, static_cast<uint64_t>(i)));
    }
    std::vector<double> times;
    int valid = 0;
    for (int i = 0; i < count; ++i)
    {
        header.word32s[0] = static_cast<uint32_t>(i);
        const auto t = clock::now();
        valid += progpow::verify(*context, height, header, results[i].mix_hash, static_cast<uint64_t>(i), boundary) ? 1 : 0;
        times.push_back(std::chrono::duration<double, std::milli>(clock::now() - t).count());
    }
    std::sort(times.begin(), times.end());
    std::printf("{\"epoch\":%d,\"light_cache_build_ms\":%.1f,\"verify_median_ms\":%.3f,\"verify_best_ms\":%.3f,\"valid\":%d,\"count\":%d}\n",
        epoch, build_ms, times[times.size() / 2], times[0], valid, count);
    return valid == count ? 0 : 2;
}
