/** The demo task package: small tasks that examples, interop tests and benchmarks call by name. */
package org.celeriac.examples.demo;
