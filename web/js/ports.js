// A MessagePort that carries one value (download.js' artifacts to the thread that builds the
// model), read on the main thread or in the model's worker.

/** The first message that arrives on `port`; the port is closed then. */
export function firstMessage(port) {
  return new Promise((resolve) => {
    port.onmessage = ({ data }) => {
      port.close();
      resolve(data);
    };
  });
}
