"""A relay in front of the app server that can cut one answer short, as a server
that dies mid-page does: the status line, the headers and a few bytes of the body
reach the browser, then the connection closes."""

import socket
import threading

KEPT_BODY_BYTES = 200
METHODS = (b"GET ", b"POST ", b"HEAD ", b"PUT ", b"DELETE ", b"PATCH ", b"OPTIONS ")


class CuttingProxy:
    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.lock = threading.Lock()
        self.target: str | None = None
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> "CuttingProxy":
        return self

    def __exit__(self, *exc) -> None:
        self.listener.close()

    def cut_next(self, path: str) -> None:
        """The next answer to a request for `path` (its request line) is cut short."""
        with self.lock:
            self.target = path

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        except OSError:
            client.close()
            return
        asked = []  # the paths asked for on this connection, in order
        threading.Thread(target=self._requests, args=(client, upstream, asked), daemon=True).start()
        self._answers(upstream, client, asked)

    def _requests(self, client: socket.socket, upstream: socket.socket, asked: list) -> None:
        try:
            while data := client.recv(65536):
                if data.startswith(METHODS):
                    asked.append(data.split(b" ", 2)[1].decode("latin-1"))
                upstream.sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()

    def _answers(self, upstream: socket.socket, client: socket.socket, asked: list) -> None:
        seen = b""
        try:
            while data := upstream.recv(65536):
                with self.lock:
                    cutting = bool(asked) and asked[-1] == self.target
                if cutting:
                    seen += data
                    head_end = seen.find(b"\r\n\r\n")
                    overflow = len(seen) - (head_end + 4 + KEPT_BODY_BYTES)
                    if head_end >= 0 and overflow > 0:
                        client.sendall(data[: len(data) - overflow])
                        with self.lock:
                            self.target = None
                            self.cuts += 1
                        return
                client.sendall(data)
        except OSError:
            pass
        finally:
            client.close()
            upstream.close()
