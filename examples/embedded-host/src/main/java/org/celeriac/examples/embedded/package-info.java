/**
 * Embedding Celeriac in a plain Java application: {@link org.celeriac.examples.embedded.Main} runs a worker
 * and a client in one process, on tasks of its own ({@link org.celeriac.examples.embedded.ShopTasks}).
 */
package org.celeriac.examples.embedded;
