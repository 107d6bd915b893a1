package org.celeriac.osgi;

/** Told when a plugin service appears or goes away. */
interface PluginListener {

    /** A plugin is available; called after it shows in the catalog. */
    void pluginAdded(Object plugin);

    /**
     * A plugin is going away; called after it left the catalog and before its provider is deactivated, so this
     * is the last moment to stop using it (return only once done).
     */
    void pluginRemoved(Object plugin);
}
