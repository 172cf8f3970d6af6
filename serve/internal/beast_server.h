// The Boost.Beast HTTP server behind serve/internal/listeners.h, shared by
// its two files: http_server.cc (the listener: TLS context, accepting,
// connection caps, counters, shutdown) and http_session.cc (one connection's
// life: headers, body, handler, answer, keep-alive). Internal to serve/.
#ifndef OGI_SERVE_INTERNAL_BEAST_SERVER_H_
#define OGI_SERVE_INTERNAL_BEAST_SERVER_H_

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "serve/http_router.h"
#include "serve/internal/listeners.h"

namespace ogi::serve_internal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

inline absl::string_view View(beast::string_view s) {
  return absl::string_view(s.data(), s.size());
}

inline std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return absl::ToChronoNanoseconds(d);
}

// Runs handlers on a fixed set of threads, in the order submitted.
class WorkerPool {
 public:
  explicit WorkerPool(int threads) {
    for (int i = 0; i < std::max(1, threads); ++i)
      threads_.emplace_back([this] { Run(); });
  }
  ~WorkerPool() { Stop(); }

  void Submit(std::function<void()> job) {
    absl::MutexLock lock(&mu_);
    jobs_.push_back(std::move(job));
  }

  // Runs what was submitted, then joins the threads.
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  void Run() {
    while (true) {
      std::function<void()> job;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stopping_ || !jobs_.empty();
        };
        mu_.Await(absl::Condition(&ready));
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> jobs_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection unless a request on it is being answered (which
  // then closes it once answered), or even then if `force`. Any thread.
  virtual void Stop(bool force) = 0;
};

class BeastServer {
 public:
  BeastServer(IntakeService& service, HttpRouter router, int threads,
              const HttpLimits& limits)
      : service_(service),
        router_(std::move(router)),
        limits_(limits),
        workers_(threads) {}

  ~BeastServer() { Shutdown(); }

  absl::Status Listen(const std::string& host, int port, const TlsFiles& tls);

  int port() const { return port_; }

  HttpConnectionStats Stats() const;
  std::string StatsJson() const;

  void Shutdown();

  // For the sessions.
  IntakeService& service() { return service_; }
  const HttpRouter& router() const { return router_; }
  const HttpLimits& limits() const { return limits_; }
  WorkerPool& workers() { return workers_; }
  bool stopping() {
    absl::MutexLock lock(&mu_);
    return stopping_;
  }
  void CountTimeout() { ++timed_out_; }
  void Register(uint64_t id, std::weak_ptr<SessionBase> session) {
    absl::MutexLock lock(&mu_);
    sessions_.emplace(id, std::move(session));
  }
  // A session's end (its destructor): gives back its places.
  void Release(uint64_t id, const std::string& peer) {
    absl::MutexLock lock(&mu_);
    sessions_.erase(id);
    auto it = per_peer_.find(peer);
    if (it != per_peer_.end() && --it->second <= 0) per_peer_.erase(it);
    --open_;
  }

 private:
  void Accept();
  void OnAccept(tcp::socket socket);
  void StopSessions(bool force);

  IntakeService& service_;
  const HttpRouter router_;
  const HttpLimits limits_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::map<uint64_t, std::weak_ptr<SessionBase>> sessions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> per_peer_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;

  std::atomic<int64_t> open_{0}, accepted_{0}, refused_total_{0},
      refused_peer_{0}, timed_out_{0};

  std::unique_ptr<ssl::context> ssl_;
  WorkerPool workers_;
  // Destroyed before the members above: pending handlers hold sessions,
  // whose destructors call Release().
  net::io_context ioc_{2};
  tcp::acceptor acceptor_{net::make_strand(ioc_)};
  int port_ = 0;
  std::vector<std::thread> io_threads_;
};

// Makes the session of an accepted connection (TLS when `tls` is set),
// registers it with `server` and starts reading its first request.
void StartSession(BeastServer& server, uint64_t id, std::string peer,
                  tcp::socket socket, ssl::context* tls);

}  // namespace ogi::serve_internal

#endif  // OGI_SERVE_INTERNAL_BEAST_SERVER_H_
