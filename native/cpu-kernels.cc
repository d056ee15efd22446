// Training kernels on the CPU's native vector units and OpenBLAS, for tfjs' wasm backend.
//
// XNNPACK's wasm build runs 128-bit SIMD without fused multiply-add; the convolutions and products of a training step
// run 2.5-5x faster as im2col + OpenBLAS SGEMM (AVX2 FMA where the CPU has it). The kernels read and write the wasm
// heap in place: every argument is a Float32Array view of tfjs tensors, so nothing is copied in or out. Each function
// checks the view lengths against the geometry it is given and throws instead of touching memory outside them.
//
// Threads: each kernel splits its work by images (or rows) over a small pool of this module's own, and OpenBLAS runs
// single-threaded inside each share. OpenBLAS's own threads, tried first, made the 28x28 CNN's small products slower
// (a 13 MFLOP product: 3.3 ms on 2 threads, 1.0 on one) and left its convolutions as slow as on one thread, whose
// im2col and col2im stay serial. Each JavaScript thread that loads the module (Node's worker_threads) has its own pool.
#include <node_api.h>
#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

// Images per im2col chunk are chosen so one chunk's patch matrix stays near this many floats (1 MiB): small enough that
// SGEMM reads the patches from the core's L2 cache right after im2col wrote them (the 28x28 CNN's second convolution
// and its two gradients ran 12-20 % faster than with 8 MiB chunks), large enough for SGEMM to run at speed.
constexpr std::size_t kPatchBudget = std::size_t{1} << 18;

struct Error {
  std::string message;
};

// Splits one kernel's tasks over `threads` threads, the caller being one of them. A training step calls kernels a
// fraction of a millisecond apart, so a worker that finished one spins for a while on the next before it sleeps on a
// condition variable: waking a sleeping thread took longer than the small products it was to share (a Fashion-MNIST
// step's products, 1.2 ms on one thread, took 1.8 on two with sleeping workers). The caller waits only for shares a
// worker has claimed: a worker still waking up when the caller has run every share itself no longer holds it up (the
// first product of a backward pass, after the loss's small kernels had let the worker sleep, took 1.5-3.5 ms instead
// of 0.2 while the caller waited for it to wake).
class Pool {
 public:
  Pool() = default;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() { Resize(1); }

  int Threads() const { return static_cast<int>(workers_.size()) + 1; }

  void Resize(int threads) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_.store(true);
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
    workers_.clear();
    quit_.store(false);
    // A new worker waits for the generation after this one, even if it starts running after the next For began.
    const uint64_t current = Generation(state_.load());
    for (int i = 1; i < threads; i++) workers_.emplace_back([this, current] { Work(current); });
  }

  // Runs task(0) .. task(tasks - 1), some on the workers, and returns when all are done.
  void For(int64_t tasks, const std::function<void(int64_t)>& task) {
    if (tasks <= 0) return;
    if (workers_.empty() || tasks == 1 || tasks > kMaxTasks) {
      for (int64_t t = 0; t < tasks; t++) task(t);
      return;
    }
    task_ = &task;
    done_.store(0, std::memory_order_relaxed);
    uint64_t generation;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation = Generation(state_.load()) + 1;
      state_.store(Pack(generation, tasks, 0), std::memory_order_release);
    }
    wake_.notify_all();
    Drain(generation);
    // What is left are shares the workers claimed and are running: wait for them without sleeping.
    for (int spins = 0; done_.load(std::memory_order_acquire) < tasks; spins++)
      if (spins > 64) std::this_thread::yield();
    task_ = nullptr;
  }

 private:
  static constexpr auto kSpin = std::chrono::microseconds(300);
  static constexpr int64_t kMaxTasks = 0xffff;

  // state_ is one word: the generation (a counter of For calls), its number of shares and the next unclaimed one.
  // A share is claimed by advancing that word, so the count it is checked against is the same generation's: a worker
  // still looking at a finished generation claims nothing, whatever the next For has begun to set up. (With the count
  // kept apart, such a worker once read the next kernel's count against the old generation's index, ran a share of
  // the next kernel before it began, and the caller then waited forever for one share too many.)
  static uint64_t Pack(uint64_t generation, int64_t tasks, int64_t next) {
    return generation << 32 | static_cast<uint64_t>(tasks) << 16 | static_cast<uint64_t>(next);
  }
  static uint64_t Generation(uint64_t state) { return state >> 32; }
  static int64_t Tasks(uint64_t state) { return static_cast<int64_t>(state >> 16 & 0xffff); }
  static int64_t Next(uint64_t state) { return static_cast<int64_t>(state & 0xffff); }

  // Claims and runs shares of `generation` until none is left or a later generation has begun.
  void Drain(uint64_t generation) {
    uint64_t state = state_.load(std::memory_order_acquire);
    while (Generation(state) == generation && Next(state) < Tasks(state)) {
      if (!state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel, std::memory_order_acquire))
        continue;
      (*task_)(Next(state));
      done_.fetch_add(1, std::memory_order_release);
      state = state_.load(std::memory_order_acquire);
    }
  }

  void Work(uint64_t seen) {
    const auto moved_on = [&] { return quit_.load() || Generation(state_.load(std::memory_order_acquire)) != seen; };
    for (;;) {
      const auto until = std::chrono::steady_clock::now() + kSpin;
      for (int spins = 0; !moved_on(); spins++) {
        if ((spins & 63) != 63) continue;
        if (std::chrono::steady_clock::now() < until) continue;
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, moved_on);
      }
      if (quit_.load()) return;
      seen = Generation(state_.load(std::memory_order_acquire));
      Drain(seen);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  const std::function<void(int64_t)>* task_ = nullptr;
  std::atomic<int64_t> done_{0};
  std::atomic<uint64_t> state_{0};
  std::atomic<bool> quit_{false};
};

// Below this many multiply-adds a kernel runs on the calling thread alone: waking a worker costs tens of microseconds.
constexpr double kParallelWork = 1 << 20;

// How many shares `work` multiply-adds over `items` independent items are worth on `pool`. Four per thread, taken in
// turn: a thread that starts late (its core busy elsewhere) then delays the kernel by one small share, not by half.
int64_t Shares(const Pool& pool, double work, int64_t items) {
  if (work < kParallelWork || pool.Threads() == 1) return 1;
  return std::max<int64_t>(1, std::min<int64_t>(4 * pool.Threads(), items));
}

// [first, end) of share `share` of `items` split into `shares` nearly equal runs.
std::pair<int64_t, int64_t> Range(int64_t items, int64_t shares, int64_t share) {
  return {items * share / shares, items * (share + 1) / shares};
}

struct View {
  float* data;
  std::size_t length;
};

View FloatView(napi_env env, napi_value value, const char* name) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) throw Error{std::string(name) + " must be a Float32Array"};
  napi_typedarray_type type;
  std::size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  std::size_t offset = 0;
  napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &offset);
  if (type != napi_float32_array) throw Error{std::string(name) + " must be a Float32Array"};
  return {static_cast<float*>(data), length};
}

int64_t Integer(napi_env env, napi_value value, const char* name) {
  int64_t result = 0;
  if (napi_get_value_int64(env, value, &result) != napi_ok) throw Error{std::string(name) + " must be a number"};
  return result;
}

bool Boolean(napi_env env, napi_value value, const char* name) {
  bool result = false;
  if (napi_get_value_bool(env, value, &result) != napi_ok) throw Error{std::string(name) + " must be a boolean"};
  return result;
}

void Expect(const View& view, std::size_t length, const char* name) {
  if (view.length != length)
    throw Error{std::string(name) + " holds " + std::to_string(view.length) + " values; the geometry needs " +
                std::to_string(length)};
}

// One NHWC convolution: input [B,H,W,C], filter [KH,KW,C,CO], output [B,OH,OW,CO].
struct Conv {
  int64_t batch, in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_t, pad_l;
  int64_t Patch() const { return k_h * k_w * in_c; }
  int64_t Pixels() const { return out_h * out_w; }
  int64_t InSize() const { return batch * in_h * in_w * in_c; }
  int64_t OutSize() const { return batch * out_h * out_w * out_c; }
  int64_t FilterSize() const { return Patch() * out_c; }
  int64_t ImagesPerChunk() const {
    const int64_t per_image = std::max<int64_t>(1, Pixels() * Patch());
    return std::clamp<int64_t>(static_cast<int64_t>(kPatchBudget) / per_image, 1, batch);
  }
};

Conv ReadConv(napi_env env, napi_value value) {
  bool is_array = false;
  napi_is_array(env, value, &is_array);
  uint32_t length = 0;
  if (is_array) napi_get_array_length(env, value, &length);
  if (length != 15) throw Error{"geometry must be an array of 15 integers"};
  int64_t g[15];
  for (uint32_t i = 0; i < 15; i++) {
    napi_value item;
    napi_get_element(env, value, i, &item);
    g[i] = Integer(env, item, "geometry");
  }
  Conv c{g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14]};
  for (int i = 0; i < 13; i++)
    if (g[i] < 1) throw Error{"geometry sizes, strides and dilations must be positive"};
  return c;
}

// The KH*KW*C input values output pixel (b, oh, ow) sees, zero where its window hangs over the padding.
void Im2colPixel(const Conv& c, const float* x, int64_t b, int64_t oh, int64_t ow, float* row) {
  for (int64_t kh = 0; kh < c.k_h; kh++) {
    const int64_t h = oh * c.stride_h + kh * c.dil_h - c.pad_t;
    for (int64_t kw = 0; kw < c.k_w; kw++) {
      const int64_t w = ow * c.stride_w + kw * c.dil_w - c.pad_l;
      float* dst = row + (kh * c.k_w + kw) * c.in_c;
      const bool outside = h < 0 || h >= c.in_h || w < 0 || w >= c.in_w;
      const float* src = outside ? nullptr : x + ((b * c.in_h + h) * c.in_w + w) * c.in_c;
      if (c.in_c == 1)  // a grey image: one value, not a library call per tap
        *dst = outside ? 0.f : *src;
      else if (outside)
        std::memset(dst, 0, sizeof(float) * c.in_c);
      else
        std::memcpy(dst, src, sizeof(float) * c.in_c);
    }
  }
}

// Rows of patches for images [first, first + count), one row per output pixel.
void Im2col(const Conv& c, const float* x, int64_t first, int64_t count, float* col) {
  const int64_t patch = c.Patch();
  for (int64_t b = first; b < first + count; b++)
    for (int64_t oh = 0; oh < c.out_h; oh++)
      for (int64_t ow = 0; ow < c.out_w; ow++)
        Im2colPixel(c, x, b, oh, ow, col + (((b - first) * c.out_h + oh) * c.out_w + ow) * patch);
}

// The adjoint of Im2col: adds each patch value back to the input pixel it came from.
void Col2imAdd(const Conv& c, const float* col, int64_t first, int64_t count, float* dx) {
  const int64_t patch = c.Patch();
  for (int64_t b = first; b < first + count; b++) {
    for (int64_t oh = 0; oh < c.out_h; oh++) {
      for (int64_t ow = 0; ow < c.out_w; ow++) {
        const float* row = col + (((b - first) * c.out_h + oh) * c.out_w + ow) * patch;
        for (int64_t kh = 0; kh < c.k_h; kh++) {
          const int64_t h = oh * c.stride_h + kh * c.dil_h - c.pad_t;
          if (h < 0 || h >= c.in_h) continue;
          for (int64_t kw = 0; kw < c.k_w; kw++) {
            const int64_t w = ow * c.stride_w + kw * c.dil_w - c.pad_l;
            if (w < 0 || w >= c.in_w) continue;
            const float* src = row + (kh * c.k_w + kw) * c.in_c;
            float* dst = dx + ((b * c.in_h + h) * c.in_w + w) * c.in_c;
            for (int64_t ci = 0; ci < c.in_c; ci++) dst[ci] += src[ci];
          }
        }
      }
    }
  }
}

// A 1x1 convolution at stride 1 without padding reads the input as its own patch matrix.
bool IsPointwise(const Conv& c) {
  return c.k_h == 1 && c.k_w == 1 && c.stride_h == 1 && c.stride_w == 1 && c.pad_t == 0 && c.pad_l == 0 &&
         c.out_h == c.in_h && c.out_w == c.in_w;
}

// Patches of at most this many values (a first layer on 1-3 channels: 9 or 27) leave SGEMM an inner dimension too
// short to run at speed once im2col has copied them; those convolutions and their filter gradients run as
// register-blocked loops instead. A pointwise convolution needs no im2col, and SGEMM stays faster there (1x1, 8-32
// input channels: 1.4-1.9x on the forward pass).
constexpr int64_t kShortPatch = 32;

bool IsShortPatch(const Conv& c) { return c.Patch() <= kShortPatch && !IsPointwise(c); }

// Reads short patches: a window inside the image gathers its values at offsets computed once; one over the padding
// takes Im2colPixel's bounds checks (the checks per tap cost more than the products of a 9-value patch).
class ShortPatches {
 public:
  ShortPatches(const Conv& c, const float* x) : c_(c), x_(x) {
    for (int64_t kh = 0; kh < c.k_h; kh++)
      for (int64_t kw = 0; kw < c.k_w; kw++)
        for (int64_t ci = 0; ci < c.in_c; ci++) offsets_[count_++] = (kh * c.dil_h * c.in_w + kw * c.dil_w) * c.in_c + ci;
  }

  void Read(int64_t b, int64_t oh, int64_t ow, float* patch) const {
    const int64_t h = oh * c_.stride_h - c_.pad_t, w = ow * c_.stride_w - c_.pad_l;
    if (h < 0 || w < 0 || h + (c_.k_h - 1) * c_.dil_h >= c_.in_h || w + (c_.k_w - 1) * c_.dil_w >= c_.in_w) {
      Im2colPixel(c_, x_, b, oh, ow, patch);
      return;
    }
    const float* base = x_ + ((b * c_.in_h + h) * c_.in_w + w) * c_.in_c;
    for (int64_t t = 0; t < count_; t++) patch[t] = base[offsets_[t]];
  }

 private:
  const Conv& c_;
  const float* x_;
  int64_t offsets_[kShortPatch] = {};
  int64_t count_ = 0;
};

// Eight floats in one vector register (AVX; two NEON registers on ARM), for the short-patch loops, which the compiler
// did not keep in registers when written over plain arrays.
typedef float Floats8 __attribute__((vector_size(32)));

inline Floats8 Load8(const float* p) {
  Floats8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void Store8(float* p, Floats8 v) { std::memcpy(p, &v, sizeof v); }

// out[0..8V) = act(bias + patch · w[:, 0..8V)) for one output pixel; w rows are `stride` apart. The V accumulators
// stay in vector registers while the patch's K values stream past.
template <int V>
inline void ShortPatchDot(const float* patch, int64_t k, const float* w, int64_t stride, const float* bias, bool relu,
                          float* out) {
  Floats8 acc[V];
  for (int i = 0; i < V; i++) acc[i] = bias != nullptr ? Load8(bias + 8 * i) : Floats8{};
  for (int64_t t = 0; t < k; t++) {
    const Floats8 v = Floats8{} + patch[t];
    const float* row = w + t * stride;
    for (int i = 0; i < V; i++) acc[i] += v * Load8(row + 8 * i);
  }
  const Floats8 zero{};
  for (int i = 0; i < V; i++) Store8(out + 8 * i, relu ? (acc[i] > zero ? acc[i] : zero) : acc[i]);
}

// One output channel: the channels left over after the runs of eight.
inline void ShortPatchDot1(const float* patch, int64_t k, const float* w, int64_t stride, const float* bias, bool relu,
                           float* out) {
  float acc = bias != nullptr ? *bias : 0.f;
  for (int64_t t = 0; t < k; t++) acc += patch[t] * w[t * stride];
  *out = relu ? (acc > 0.f ? acc : 0.f) : acc;
}

// Conv2d for images [begin, end) of a short-patch convolution: one patch, then 32, 8 and 1 output channels at a time.
void ShortPatchConvImages(const Conv& c, const float* x, const float* filter, const float* bias, bool relu, float* out,
                          int64_t begin, int64_t end) {
  float patch[kShortPatch];
  const int64_t k = c.Patch();
  const ShortPatches patches(c, x);
  for (int64_t b = begin; b < end; b++) {
    for (int64_t oh = 0; oh < c.out_h; oh++) {
      for (int64_t ow = 0; ow < c.out_w; ow++) {
        patches.Read(b, oh, ow, patch);
        float* o = out + ((b * c.out_h + oh) * c.out_w + ow) * c.out_c;
        int64_t j = 0;
        for (; j + 32 <= c.out_c; j += 32)
          ShortPatchDot<4>(patch, k, filter + j, c.out_c, bias != nullptr ? bias + j : nullptr, relu, o + j);
        for (; j + 8 <= c.out_c; j += 8)
          ShortPatchDot<1>(patch, k, filter + j, c.out_c, bias != nullptr ? bias + j : nullptr, relu, o + j);
        for (; j < c.out_c; j++)
          ShortPatchDot1(patch, k, filter + j, c.out_c, bias != nullptr ? bias + j : nullptr, relu, o + j);
      }
    }
  }
}

// dw[t..t+T, j..j+8V) += Σ_p col[p, t..t+T) · dy[p, j..j+8V) over `pixels` rows, the T·V sums in vector registers:
// each dy vector loaded serves T taps.
template <int T, int V>
inline void ShortPatchGradientColumns(const float* col, int64_t k, int64_t t, const float* dy, int64_t out_c,
                                      int64_t pixels, float* dw) {
  Floats8 acc[T][V] = {};
  for (int64_t p = 0; p < pixels; p++) {
    const float* d = dy + p * out_c;
    const float* patch = col + p * k + t;
    for (int i = 0; i < V; i++) {
      const Floats8 dv = Load8(d + 8 * i);
      for (int u = 0; u < T; u++) acc[u][i] += (Floats8{} + patch[u]) * dv;
    }
  }
  for (int u = 0; u < T; u++)
    for (int i = 0; i < V; i++) Store8(dw + u * out_c + 8 * i, Load8(dw + u * out_c + 8 * i) + acc[u][i]);
}

// One output channel's column: the channels left over after the runs of eight.
inline void ShortPatchGradientColumn1(const float* col, int64_t k, int64_t t, const float* dy, int64_t out_c,
                                      int64_t pixels, float* dw) {
  float acc = 0.f;
  for (int64_t p = 0; p < pixels; p++) acc += col[p * k + t] * dy[p * out_c];
  *dw += acc;
}

// Adds the filter gradient of images [begin, end) of a short-patch convolution to dw, by blocks of kShortBlock output
// pixels: a block's patches and dy rows stay in the L1 cache while each group of taps passes over them (a whole
// 148x148 image's dy, 2.7 MiB, did not, and each of its nine passes went to memory).
constexpr int64_t kShortBlock = 128;

void ShortPatchFilterGradientImages(const Conv& c, const float* x, const float* dy, float* dw, int64_t begin,
                                    int64_t end) {
  const int64_t k = c.Patch();
  const int64_t pixels = c.Pixels();
  float col[kShortBlock * kShortPatch];
  const ShortPatches patches(c, x);
  for (int64_t b = begin; b < end; b++) {
    for (int64_t first = 0; first < pixels; first += kShortBlock) {
      const int64_t count = std::min(kShortBlock, pixels - first);
      for (int64_t p = 0; p < count; p++)
        patches.Read(b, (first + p) / c.out_w, (first + p) % c.out_w, col + p * k);
      const float* d = dy + (b * pixels + first) * c.out_c;
      // Three taps by 32 channels (12 vector sums) at a time, then what is left.
      int64_t j = 0;
      for (; j + 32 <= c.out_c; j += 32) {
        int64_t t = 0;
        for (; t + 3 <= k; t += 3)
          ShortPatchGradientColumns<3, 4>(col, k, t, d + j, c.out_c, count, dw + t * c.out_c + j);
        for (; t < k; t++) ShortPatchGradientColumns<1, 4>(col, k, t, d + j, c.out_c, count, dw + t * c.out_c + j);
      }
      for (; j + 8 <= c.out_c; j += 8)
        for (int64_t t = 0; t < k; t++)
          ShortPatchGradientColumns<1, 1>(col, k, t, d + j, c.out_c, count, dw + t * c.out_c + j);
      for (; j < c.out_c; j++)
        for (int64_t t = 0; t < k; t++) ShortPatchGradientColumn1(col, k, t, d + j, c.out_c, count, dw + t * c.out_c + j);
    }
  }
}

// conv2d(x, filter, out, geometry, bias | null, relu): out = act(conv(x, filter) + bias). Shares are runs of images.
void Conv2d(Pool& pool, const Conv& c, const float* x, const float* filter, const float* bias, bool relu, float* out) {
  const int64_t patch = c.Patch();
  const int64_t pixels = c.Pixels();
  const int64_t shares = Shares(pool, static_cast<double>(c.batch) * pixels * patch * c.out_c, c.batch);
  pool.For(shares, [&](int64_t share) {
    const auto [begin, end] = Range(c.batch, shares, share);
    if (IsShortPatch(c)) {
      ShortPatchConvImages(c, x, filter, bias, relu, out, begin, end);
      return;
    }
    if (IsPointwise(c)) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (end - begin) * pixels, c.out_c, patch, 1.f,
                  x + begin * pixels * patch, patch, filter, c.out_c, 0.f, out + begin * pixels * c.out_c, c.out_c);
    } else {
      const int64_t chunk = std::min(c.ImagesPerChunk(), end - begin);
      std::vector<float> col(static_cast<std::size_t>(chunk * pixels * patch));
      for (int64_t first = begin; first < end; first += chunk) {
        const int64_t count = std::min(chunk, end - first);
        Im2col(c, x, first, count, col.data());
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, count * pixels, c.out_c, patch, 1.f, col.data(), patch,
                    filter, c.out_c, 0.f, out + first * pixels * c.out_c, c.out_c);
      }
    }
    if (bias == nullptr && !relu) return;
    for (int64_t r = begin * pixels; r < end * pixels; r++) {
      float* row = out + r * c.out_c;
      if (bias != nullptr)
        for (int64_t o = 0; o < c.out_c; o++) row[o] += bias[o];
      if (relu)
        for (int64_t o = 0; o < c.out_c; o++) row[o] = row[o] > 0.f ? row[o] : 0.f;
    }
  });
}

// dW[K, CO] = Σ over images of patchesᵀ · dy: each share sums its run of images into its own buffer (the first share
// straight into dw), then the buffers are added.
void FilterGradient(Pool& pool, const Conv& c, const float* x, const float* dy, float* dw) {
  const int64_t patch = c.Patch();
  const int64_t pixels = c.Pixels();
  const int64_t size = c.FilterSize();
  const int64_t shares = Shares(pool, static_cast<double>(c.batch) * pixels * patch * c.out_c, c.batch);
  std::vector<float> partial(static_cast<std::size_t>((shares - 1) * size));
  pool.For(shares, [&](int64_t share) {
    const auto [begin, end] = Range(c.batch, shares, share);
    float* target = share == 0 ? dw : partial.data() + (share - 1) * size;
    if (IsShortPatch(c)) {
      std::memset(target, 0, sizeof(float) * size);
      ShortPatchFilterGradientImages(c, x, dy, target, begin, end);
      return;
    }
    if (IsPointwise(c)) {
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, patch, c.out_c, (end - begin) * pixels, 1.f,
                  x + begin * pixels * patch, patch, dy + begin * pixels * c.out_c, c.out_c, 0.f, target, c.out_c);
      return;
    }
    const int64_t chunk = std::min(c.ImagesPerChunk(), end - begin);
    std::vector<float> col(static_cast<std::size_t>(chunk * pixels * patch));
    for (int64_t first = begin; first < end; first += chunk) {
      const int64_t count = std::min(chunk, end - first);
      Im2col(c, x, first, count, col.data());
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, patch, c.out_c, count * pixels, 1.f, col.data(), patch,
                  dy + first * pixels * c.out_c, c.out_c, first == begin ? 0.f : 1.f, target, c.out_c);
    }
  });
  for (int64_t share = 1; share < shares; share++) {
    const float* add = partial.data() + (share - 1) * size;
    for (int64_t i = 0; i < size; i++) dw[i] += add[i];
  }
}

// dx = col2im(dy · Wᵀ). Shares are runs of images, whose parts of dx do not overlap.
void InputGradient(Pool& pool, const Conv& c, const float* dy, const float* filter, float* dx) {
  const int64_t patch = c.Patch();
  const int64_t pixels = c.Pixels();
  const int64_t image = c.in_h * c.in_w * c.in_c;
  const int64_t shares = Shares(pool, static_cast<double>(c.batch) * pixels * patch * c.out_c, c.batch);
  pool.For(shares, [&](int64_t share) {
    const auto [begin, end] = Range(c.batch, shares, share);
    if (IsPointwise(c)) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (end - begin) * pixels, patch, c.out_c, 1.f,
                  dy + begin * pixels * c.out_c, c.out_c, filter, c.out_c, 0.f, dx + begin * pixels * patch, patch);
      return;
    }
    std::memset(dx + begin * image, 0, sizeof(float) * (end - begin) * image);
    const int64_t chunk = std::min(c.ImagesPerChunk(), end - begin);
    std::vector<float> col(static_cast<std::size_t>(chunk * pixels * patch));
    for (int64_t first = begin; first < end; first += chunk) {
      const int64_t count = std::min(chunk, end - first);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, count * pixels, patch, c.out_c, 1.f,
                  dy + first * pixels * c.out_c, c.out_c, filter, c.out_c, 0.f, col.data(), patch);
      Col2imAdd(c, col.data(), first, count, dx);
    }
  });
}

// One 2x2 window's gradient routing, on floats or on eight lanes at once: the first strict maximum of a, b, c, d (in
// row order; NaN and -inf never win) gets grad, the other three 0; store(tap, value) writes tap 0-3. Written with
// selects, not branches, so the eight-lane form needs none.
template <typename T, typename Store>
inline void Route2x2(T a, T b, T c, T d, T grad, Store store) {
  const T lowest = T{} - INFINITY;
  const auto a_wins = a > lowest;
  const T best_a = a_wins ? a : lowest;
  const auto b_wins = b > best_a;
  const T best_b = b_wins ? b : best_a;
  const auto c_wins = c > best_b;
  const T best_c = c_wins ? c : best_b;
  const auto d_wins = d > best_c;
  const T zero{};
  store(3, d_wins ? grad : zero);
  store(2, c_wins && !d_wins ? grad : zero);
  store(1, b_wins && !c_wins && !d_wins ? grad : zero);
  store(0, a_wins && !b_wins && !c_wins && !d_wins ? grad : zero);
}

// Pool geometry: [batch, inH, inW, channels, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft].
bool IsPlain2x2(const int64_t* g) {
  return g[6] == 2 && g[7] == 2 && g[8] == 2 && g[9] == 2 && g[10] == 0 && g[11] == 0 && g[4] * 2 <= g[1] &&
         g[5] * 2 <= g[2];
}

// Each dy value goes to the first maximum of its window (strictly greater wins, rows scanned in order; NaN and -inf
// never win), as tfjs' cpu backend routes it; every other dx value is 0.
void MaxPoolGradientImages(const int64_t* g, const float* x, const float* dy, float* dx, int64_t begin, int64_t end) {
  const int64_t in_h = g[1], in_w = g[2], ch = g[3], out_h = g[4], out_w = g[5], f_h = g[6], f_w = g[7],
                s_h = g[8], s_w = g[9], pad_t = g[10], pad_l = g[11];
  if (IsPlain2x2(g)) {
    // The CNNs' 2x2 pools at stride 2, every window inside the image: each window's four dx values are written once,
    // the gradient or 0, from comparisons the compiler turns into vector selects; pixels no window covers are zeroed.
    const int64_t row = in_w * ch;
    for (int64_t b = begin; b < end; b++) {
      for (int64_t h = 2 * out_h; h < in_h; h++) std::memset(dx + (b * in_h + h) * row, 0, sizeof(float) * row);
      for (int64_t oh = 0; oh < out_h; oh++) {
        for (int64_t r = 0; r < 2 && 2 * out_w < in_w; r++)
          std::memset(dx + ((b * in_h + 2 * oh + r) * in_w + 2 * out_w) * ch, 0, sizeof(float) * (in_w - 2 * out_w) * ch);
        for (int64_t ow = 0; ow < out_w; ow++) {
          const int64_t p00 = ((b * in_h + 2 * oh) * in_w + 2 * ow) * ch;
          const float *x00 = x + p00, *x01 = x00 + ch, *x10 = x00 + row, *x11 = x10 + ch;
          float *d00 = dx + p00, *d01 = d00 + ch, *d10 = d00 + row, *d11 = d10 + ch;
          const float* dyp = dy + ((b * out_h + oh) * out_w + ow) * ch;
          int64_t c = 0;
          for (; c + 8 <= ch; c += 8)
            Route2x2<Floats8>(Load8(x00 + c), Load8(x01 + c), Load8(x10 + c), Load8(x11 + c), Load8(dyp + c),
                              [&](int tap, Floats8 v) { Store8((tap == 0 ? d00 : tap == 1 ? d01 : tap == 2 ? d10 : d11) + c, v); });
          for (; c < ch; c++)
            Route2x2<float>(x00[c], x01[c], x10[c], x11[c], dyp[c],
                            [&](int tap, float v) { (tap == 0 ? d00 : tap == 1 ? d01 : tap == 2 ? d10 : d11)[c] = v; });
        }
      }
    }
    return;
  }
  std::memset(dx + begin * in_h * in_w * ch, 0, sizeof(float) * (end - begin) * in_h * in_w * ch);
  std::vector<float> best(static_cast<std::size_t>(ch));
  std::vector<int64_t> at(static_cast<std::size_t>(ch));
  for (int64_t b = begin; b < end; b++) {
    for (int64_t oh = 0; oh < out_h; oh++) {
      const int64_t h0 = oh * s_h - pad_t;
      for (int64_t ow = 0; ow < out_w; ow++) {
        const int64_t w0 = ow * s_w - pad_l;
        std::fill(best.begin(), best.end(), -INFINITY);
        std::fill(at.begin(), at.end(), -1);
        for (int64_t h = std::max<int64_t>(0, h0); h < std::min(in_h, h0 + f_h); h++) {
          for (int64_t w = std::max<int64_t>(0, w0); w < std::min(in_w, w0 + f_w); w++) {
            const int64_t base = ((b * in_h + h) * in_w + w) * ch;
            const float* px = x + base;
            for (int64_t c = 0; c < ch; c++) {
              if (px[c] > best[c]) {
                best[c] = px[c];
                at[c] = base + c;
              }
            }
          }
        }
        const float* dyp = dy + ((b * out_h + oh) * out_w + ow) * ch;
        for (int64_t c = 0; c < ch; c++)
          if (at[c] >= 0) dx[at[c]] += dyp[c];
      }
    }
  }
}

// Shares are runs of images.
void MaxPoolGradient(Pool& pool, const int64_t* g, const float* x, const float* dy, float* dx) {
  const int64_t batch = g[0];
  const int64_t shares = Shares(pool, static_cast<double>(batch) * g[1] * g[2] * g[3], batch);
  pool.For(shares, [&](int64_t share) {
    const auto [begin, end] = Range(batch, shares, share);
    MaxPoolGradientImages(g, x, dy, dx, begin, end);
  });
}

// The element-wise kernels of a CNN's training step that pass over whole activations: a bias added to every row, a
// product, relu and its gradient. tfjs-wasm runs each on one thread, some through a general broadcasting loop.
enum class MapOp : int64_t { kAdd = 0, kMultiply = 1, kRelu = 2, kStep = 3, kReluGradient = 4 };

// out[i] = op(a[i], b[i]) for i in [begin, end); b is null for the one-input ops.
void MapSpan(MapOp op, const float* a, const float* b, float alpha, int64_t begin, int64_t end, float* out) {
  const float* x = a + begin;
  const float* y = b == nullptr ? nullptr : b + begin;
  float* o = out + begin;
  const int64_t n = end - begin;
  switch (op) {
    case MapOp::kAdd:
      for (int64_t i = 0; i < n; i++) o[i] = x[i] + y[i];
      break;
    case MapOp::kMultiply:
      for (int64_t i = 0; i < n; i++) o[i] = x[i] * y[i];
      break;
    case MapOp::kRelu:  // as max(0, x): NaN stays NaN
      for (int64_t i = 0; i < n; i++) o[i] = x[i] > 0.f ? x[i] : (x[i] != x[i] ? x[i] : 0.f);
      break;
    case MapOp::kStep:  // 1 above 0, alpha elsewhere, NaN stays NaN
      for (int64_t i = 0; i < n; i++) o[i] = x[i] > 0.f ? 1.f : (x[i] != x[i] ? x[i] : alpha);
      break;
    case MapOp::kReluGradient:  // dy · step(x), as tfjs' relu gradient: a is dy, b is x
      for (int64_t i = 0; i < n; i++) o[i] = x[i] * (y[i] > 0.f ? 1.f : (y[i] != y[i] ? y[i] : 0.f));
      break;
  }
}

// out[r, i] = a[r, i] + row[i] (or · row[i]) for rows [begin, end) of `width` values: a bias over every pixel.
void MapRows(MapOp op, const float* a, const float* row, int64_t width, int64_t begin, int64_t end, float* out) {
  for (int64_t r = begin; r < end; r++) {
    const float* x = a + r * width;
    float* o = out + r * width;
    if (op == MapOp::kAdd)
      for (int64_t i = 0; i < width; i++) o[i] = x[i] + row[i];
    else
      for (int64_t i = 0; i < width; i++) o[i] = x[i] * row[i];
  }
}

// out = the largest value of each window (NaN never wins; a window of NaN and padding alone gives -inf), as tfjs' cpu
// backend pools. Shares are runs of images.
void MaxPoolImages(const int64_t* g, const float* x, float* out, int64_t begin, int64_t end) {
  const int64_t in_h = g[1], in_w = g[2], ch = g[3], out_h = g[4], out_w = g[5], f_h = g[6], f_w = g[7],
                s_h = g[8], s_w = g[9], pad_t = g[10], pad_l = g[11];
  for (int64_t b = begin; b < end; b++) {
    for (int64_t oh = 0; oh < out_h; oh++) {
      const int64_t h0 = oh * s_h - pad_t;
      for (int64_t ow = 0; ow < out_w; ow++) {
        const int64_t w0 = ow * s_w - pad_l;
        float* o = out + ((b * out_h + oh) * out_w + ow) * ch;
        for (int64_t c = 0; c < ch; c++) o[c] = -INFINITY;
        for (int64_t h = std::max<int64_t>(0, h0); h < std::min(in_h, h0 + f_h); h++) {
          for (int64_t w = std::max<int64_t>(0, w0); w < std::min(in_w, w0 + f_w); w++) {
            const float* px = x + ((b * in_h + h) * in_w + w) * ch;
            for (int64_t c = 0; c < ch; c++) o[c] = px[c] > o[c] ? px[c] : o[c];
          }
        }
      }
    }
  }
}

void MaxPool(Pool& pool, const int64_t* g, const float* x, float* out) {
  const int64_t batch = g[0];
  const int64_t shares = Shares(pool, static_cast<double>(batch) * g[1] * g[2] * g[3], batch);
  pool.For(shares, [&](int64_t share) {
    const auto [begin, end] = Range(batch, shares, share);
    MaxPoolImages(g, x, out, begin, end);
  });
}

// What each JavaScript thread that loads the module holds: its own pool.
struct Instance {
  Pool pool;
};

Pool& PoolOf(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<Instance*>(data)->pool;
}

napi_value Throw(napi_env env, const Error& error) {
  napi_throw_error(env, "LEPTON_NATIVE_KERNELS", error.message.c_str());
  return nullptr;
}

template <std::size_t N>
void Args(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  std::size_t argc = N;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != N) throw Error{"expected " + std::to_string(N) + " arguments, got " + std::to_string(argc)};
}

bool IsNull(napi_env env, napi_value value) {
  napi_valuetype type;
  napi_typeof(env, value, &type);
  return type == napi_null || type == napi_undefined;
}

// conv2d(x, filter, bias | null, out, geometry, relu)
napi_value Conv2dEntry(napi_env env, napi_callback_info info) {
  try {
    napi_value a[6];
    Args(env, info, a);
    const Conv c = ReadConv(env, a[4]);
    const View x = FloatView(env, a[0], "x"), filter = FloatView(env, a[1], "filter"), out = FloatView(env, a[3], "out");
    Expect(x, c.InSize(), "x");
    Expect(filter, c.FilterSize(), "filter");
    Expect(out, c.OutSize(), "out");
    const float* bias = nullptr;
    if (!IsNull(env, a[2])) {
      const View b = FloatView(env, a[2], "bias");
      Expect(b, c.out_c, "bias");
      bias = b.data;
    }
    Conv2d(PoolOf(env), c, x.data, filter.data, bias, Boolean(env, a[5], "relu"), out.data);
    return nullptr;
  } catch (const Error& e) {
    return Throw(env, e);
  }
}

// conv2dBackpropFilter(x, dy, dw, geometry)
napi_value FilterGradientEntry(napi_env env, napi_callback_info info) {
  try {
    napi_value a[4];
    Args(env, info, a);
    const Conv c = ReadConv(env, a[3]);
    const View x = FloatView(env, a[0], "x"), dy = FloatView(env, a[1], "dy"), dw = FloatView(env, a[2], "dw");
    Expect(x, c.InSize(), "x");
    Expect(dy, c.OutSize(), "dy");
    Expect(dw, c.FilterSize(), "dw");
    FilterGradient(PoolOf(env), c, x.data, dy.data, dw.data);
    return nullptr;
  } catch (const Error& e) {
    return Throw(env, e);
  }
}

// conv2dBackpropInput(dy, filter, dx, geometry)
napi_value InputGradientEntry(napi_env env, napi_callback_info info) {
  try {
    napi_value a[4];
    Args(env, info, a);
    const Conv c = ReadConv(env, a[3]);
    const View dy = FloatView(env, a[0], "dy"), filter = FloatView(env, a[1], "filter"), dx = FloatView(env, a[2], "dx");
    Expect(dy, c.OutSize(), "dy");
    Expect(filter, c.FilterSize(), "filter");
    Expect(dx, c.InSize(), "dx");
    InputGradient(PoolOf(env), c, dy.data, filter.data, dx.data);
    return nullptr;
  } catch (const Error& e) {
    return Throw(env, e);
  }
}

// matMul(a, b, out, batchA, batchB, rows, inner, cols, transposeA, transposeB): out[i] = op(a[i]) · op(b[i]), a batch
// of 1 on either side broadcasting.
napi_value MatMulEntry(napi_env env, napi_callback_info info) {
  try {
    napi_value a[10];
    Args(env, info, a);
    const View va = FloatView(env, a[0], "a"), vb = FloatView(env, a[1], "b"), out = FloatView(env, a[2], "out");
    const int64_t batch_a = Integer(env, a[3], "batchA"), batch_b = Integer(env, a[4], "batchB");
    const int64_t m = Integer(env, a[5], "rows"), k = Integer(env, a[6], "inner"), n = Integer(env, a[7], "cols");
    const bool ta = Boolean(env, a[8], "transposeA"), tb = Boolean(env, a[9], "transposeB");
    if (batch_a < 1 || batch_b < 1 || m < 1 || k < 1 || n < 1) throw Error{"matMul sizes must be positive"};
    if (batch_a != batch_b && batch_a != 1 && batch_b != 1) throw Error{"matMul batches must match or be 1"};
    const int64_t batch = std::max(batch_a, batch_b);
    Expect(va, batch_a * m * k, "a");
    Expect(vb, batch_b * k * n, "b");
    Expect(out, batch * m * n, "out");
    // out[i][r0:r1, c0:c1] = op(a[i])[r0:r1, :] · op(b[i])[:, c0:c1]
    const auto block = [&](int64_t i, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
      const float* pa = va.data + (batch_a == 1 ? 0 : i) * m * k;
      const float* pb = vb.data + (batch_b == 1 ? 0 : i) * k * n;
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, r1 - r0, c1 - c0, k,
                  1.f, ta ? pa + r0 : pa + r0 * k, ta ? m : k, tb ? pb + c0 * k : pb + c0, tb ? k : n, 0.f,
                  out.data + i * m * n + r0 * n + c0, n);
    };
    Pool& pool = PoolOf(env);
    const double work = static_cast<double>(batch) * m * n * k;
    if (batch >= pool.Threads()) {  // shares are runs of the batch
      const int64_t shares = Shares(pool, work, batch);
      pool.For(shares, [&](int64_t share) {
        const auto [begin, end] = Range(batch, shares, share);
        for (int64_t i = begin; i < end; i++) block(i, 0, m, 0, n);
      });
    } else {  // shares are runs of the longer side's rows or columns, for each product in turn
      const bool by_rows = m >= n;
      const int64_t side = by_rows ? m : n;
      const int64_t shares = Shares(pool, work / batch, side / 16);
      for (int64_t i = 0; i < batch; i++) {
        pool.For(shares, [&](int64_t share) {
          const auto [begin, end] = Range(side, shares, share);
          if (by_rows)
            block(i, begin, end, 0, n);
          else
            block(i, 0, m, begin, end);
        });
      }
    }
    return nullptr;
  } catch (const Error& e) {
    return Throw(env, e);
  }
}

// The 12 integers of a pool geometry (see IsPlain2x2), sizes and strides positive.
void ReadPool(napi_env env, napi_value value, int64_t (&g)[12]) {
  bool is_array = false;
  napi_is_array(env, value, &is_array);
  uint32_t length = 0;
  if (is_array) napi_get_array_length(env, value, &length);
  if (length != 12) throw Error{"pool geometry must be an array of 12 integers"};
  for (uint32_t i = 0; i < 12; i++) {
    napi_value item;
    napi_get_element(env, value, i, &item);
    g[i] = Integer(env, item, "pool geometry");
    if (i < 10 && g[i] < 1) throw Error{"pool sizes and strides must be positive"};
  }
}

// maxPoolGrad(x, dy, dx, [batch, inH, inW, channels, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft])
napi_value MaxPoolGradEntry(napi_env env, napi_callback_info info) {
  try {
    napi_value a[4];
    Args(env, info, a);
    const View x = FloatView(env, a[0], "x"), dy = FloatView(env, a[1], "dy"), dx = FloatView(env, a[2], "dx");
    int64_t g[12];
    ReadPool(env, a[3], g);
    Expect(x, g[0] * g[1] * g[2] * g[3], "x");
    Expect(dx, g[0] * g[1] * g[2] * g[3], "dx");
    Expect(dy, g[0] * g[4] * g[5] * g[3], "dy");
    MaxPoolGradient(PoolOf(env), g, x.data, dy.data, dx.data);
    return nullptr;
  } catch (const Error& e) {
    return Throw(env, e);
  }
}

// maxPool(x, out, geometry as for maxPoolGrad)
napi_value MaxPoolEntry(napi_env env, napi_callback_info info) {
  try {
    napi_value a[3];
    Args(env, info, a);
    const View x = FloatView(env, a[0], "x"), out = FloatView(env, a[1], "out");
    int64_t g[12];
    ReadPool(env, a[2], g);
    Expect(x, g[0] * g[1] * g[2] * g[3], "x");
    Expect(out, g[0] * g[4] * g[5] * g[3], "out");
    MaxPool(PoolOf(env), g, x.data, out.data);
    return nullptr;
  } catch (const Error& e) {
    return Throw(env, e);
  }
}

// sumRows(x, inner, out): out[j] = Σ_i x[i·inner + j], accumulated in double precision.
napi_value SumRowsEntry(napi_env env, napi_callback_info info) {
  try {
    napi_value a[3];
    Args(env, info, a);
    const View x = FloatView(env, a[0], "x"), out = FloatView(env, a[2], "out");
    const int64_t inner = Integer(env, a[1], "inner");
    if (inner < 1 || x.length % inner != 0) throw Error{"inner must divide the length of x"};
    Expect(out, inner, "out");
    // Shares are runs of rows, each summed into its own accumulators, which are added at the end.
    Pool& pool = PoolOf(env);
    const int64_t rows = static_cast<int64_t>(x.length) / inner;
    const int64_t shares = Shares(pool, static_cast<double>(x.length), rows);
    std::vector<double> acc(static_cast<std::size_t>(shares * inner), 0.0);
    pool.For(shares, [&](int64_t share) {
      const auto [begin, end] = Range(rows, shares, share);
      double* sums = acc.data() + share * inner;
      for (int64_t i = begin; i < end; i++) {
        const float* row = x.data + i * inner;
        for (int64_t j = 0; j < inner; j++) sums[j] += row[j];
      }
    });
    for (int64_t j = 0; j < inner; j++) {
      double sum = 0;
      for (int64_t share = 0; share < shares; share++) sum += acc[share * inner + j];
      out.data[j] = static_cast<float>(sum);
    }
    return nullptr;
  } catch (const Error& e) {
    return Throw(env, e);
  }
}

// map(op, a, b | null, out, alpha): out = op(a, b) element by element (MapOp). For add and multiply b holds a's size
// or one row of it, added to (multiplied into) every row; for the relu gradient b is x, a's size; the rest take no b.
napi_value MapEntry(napi_env env, napi_callback_info info) {
  try {
    napi_value a[5];
    Args(env, info, a);
    const int64_t code = Integer(env, a[0], "op");
    if (code < 0 || code > 4) throw Error{"op must be 0 (add), 1 (multiply), 2 (relu), 3 (step) or 4 (relu gradient)"};
    const MapOp op = static_cast<MapOp>(code);
    const View x = FloatView(env, a[1], "a"), out = FloatView(env, a[3], "out");
    Expect(out, x.length, "out");
    double alpha = 0;
    if (napi_get_value_double(env, a[4], &alpha) != napi_ok) throw Error{"alpha must be a number"};
    const bool binary = op == MapOp::kAdd || op == MapOp::kMultiply || op == MapOp::kReluGradient;
    const float* b = nullptr;
    int64_t width = 0;  // b's length where it is one row of a, else 0
    if (binary) {
      if (IsNull(env, a[2])) throw Error{"this op needs b"};
      const View y = FloatView(env, a[2], "b");
      if (op == MapOp::kReluGradient) Expect(y, x.length, "b");
      if (y.length == 0 || x.length % y.length != 0) throw Error{"b must hold a's size or one row of it"};
      b = y.data;
      if (y.length < x.length) width = static_cast<int64_t>(y.length);
    } else if (!IsNull(env, a[2])) {
      throw Error{"this op takes no b"};
    }
    const int64_t n = static_cast<int64_t>(x.length);
    // Shares are runs of rows where b is a row, else runs of 4096-value blocks.
    const int64_t unit = width > 0 ? width : 4096;
    const int64_t units = (n + unit - 1) / unit;
    Pool& pool = PoolOf(env);
    const int64_t shares = Shares(pool, static_cast<double>(n), units);
    pool.For(shares, [&](int64_t share) {
      const auto [first, last] = Range(units, shares, share);
      if (width > 0)
        MapRows(op, x.data, b, width, first, last, out.data);
      else
        MapSpan(op, x.data, b, static_cast<float>(alpha), first * unit, std::min(n, last * unit), out.data);
    });
    return nullptr;
  } catch (const Error& e) {
    return Throw(env, e);
  }
}

// adamStep(value, m, v, gradient, newValue, newM, newV, [beta1, beta2, learningRate, epsilon, 1 - beta1^t,
// 1 - beta2^t]): one Adam update in one pass, in float32 and in the order of tfjs' AdamOptimizer's element-wise ops.
napi_value AdamStepEntry(napi_env env, napi_callback_info info) {
  try {
    napi_value a[8];
    Args(env, info, a);
    const char* names[] = {"value", "m", "v", "gradient", "newValue", "newM", "newV"};
    View views[7];
    for (int i = 0; i < 7; i++) {
      views[i] = FloatView(env, a[i], names[i]);
      Expect(views[i], views[0].length, names[i]);
    }
    uint32_t length = 0;
    napi_get_array_length(env, a[7], &length);
    if (length != 6) throw Error{"Adam's constants must be an array of 6 numbers"};
    float k[6];
    for (uint32_t i = 0; i < 6; i++) {
      napi_value item;
      napi_get_element(env, a[7], i, &item);
      double value = 0;
      if (napi_get_value_double(env, item, &value) != napi_ok) throw Error{"Adam's constants must be numbers"};
      k[i] = static_cast<float>(value);
    }
    const float beta1 = k[0], beta2 = k[1], rate = k[2], epsilon = k[3], correction1 = k[4], correction2 = k[5];
    const float keep1 = 1.f - beta1, keep2 = 1.f - beta2;
    const float *value = views[0].data, *m = views[1].data, *v = views[2].data, *g = views[3].data;
    float *out_value = views[4].data, *out_m = views[5].data, *out_v = views[6].data;
    const int64_t n = static_cast<int64_t>(views[0].length);
    Pool& pool = PoolOf(env);
    const int64_t shares = Shares(pool, static_cast<double>(n), n);
    pool.For(shares, [&](int64_t share) {
      const auto [begin, end] = Range(n, shares, share);
      for (int64_t i = begin; i < end; i++) {
        const float new_m = m[i] * beta1 + g[i] * keep1;
        const float new_v = v[i] * beta2 + (g[i] * g[i]) * keep2;
        const float m_hat = new_m / correction1;
        const float v_hat = new_v / correction2;
        out_m[i] = new_m;
        out_v[i] = new_v;
        out_value[i] = (m_hat / (std::sqrt(v_hat) + epsilon)) * -rate + value[i];
      }
    });
    return nullptr;
  } catch (const Error& e) {
    return Throw(env, e);
  }
}

// setThreads(n): threads for this JavaScript thread's later kernels, the caller included.
napi_value SetThreadsEntry(napi_env env, napi_callback_info info) {
  try {
    napi_value a[1];
    Args(env, info, a);
    const int64_t threads = Integer(env, a[0], "threads");
    if (threads < 1 || threads > 64) throw Error{"threads must be between 1 and 64"};
    Pool& pool = PoolOf(env);
    if (pool.Threads() != threads) pool.Resize(static_cast<int>(threads));
    return nullptr;
  } catch (const Error& e) {
    return Throw(env, e);
  }
}

// blas(): OpenBLAS's version and the CPU kernel set it picked at run time, e.g. "OpenBLAS 0.3.21, Haswell kernels".
napi_value BlasEntry(napi_env env, napi_callback_info) {
  const std::string config = openblas_get_config();  // "OpenBLAS 0.3.21 DYNAMIC_ARCH ..."
  const std::size_t second_space = config.find(' ', config.find(' ') + 1);
  const std::string text = config.substr(0, second_space) + ", " + openblas_get_corename() + " kernels";
  napi_value result;
  napi_create_string_utf8(env, text.c_str(), text.size(), &result);
  return result;
}

}  // namespace

NAPI_MODULE_INIT() {
  // The module's pools do the threading; OpenBLAS's own threads would only wait on one another inside each share.
  openblas_set_num_threads(1);
  napi_set_instance_data(
      env, new Instance(), [](napi_env, void* data, void*) { delete static_cast<Instance*>(data); }, nullptr);
  const struct {
    const char* name;
    napi_callback callback;
  } entries[] = {
      {"conv2d", Conv2dEntry},         {"conv2dBackpropFilter", FilterGradientEntry},
      {"conv2dBackpropInput", InputGradientEntry}, {"matMul", MatMulEntry},
      {"maxPoolGrad", MaxPoolGradEntry}, {"maxPool", MaxPoolEntry}, {"sumRows", SumRowsEntry},
      {"adamStep", AdamStepEntry},     {"map", MapEntry},     {"setThreads", SetThreadsEntry}, {"blas", BlasEntry},
  };
  for (const auto& entry : entries) {
    napi_value fn;
    napi_create_function(env, entry.name, NAPI_AUTO_LENGTH, entry.callback, nullptr, &fn);
    napi_set_named_property(env, exports, entry.name, fn);
  }
  return exports;
}
