/** A sample task package; replace {@link org.celeriac.examples.template.HelloTasks} with your tasks. */
package org.celeriac.examples.template;
