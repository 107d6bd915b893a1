package org.celeriac.sql;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * Connections straight from a driver instance. The pool gets this rather than a driver class name because
 * {@link DriverManager} and the pool's class loader cannot see the drivers inside OSGi.
 */
final class DriverDataSource implements DataSource {

    private final Driver driver;
    private final String url;
    private int loginTimeout;

    DriverDataSource(Driver driver, String url) {
        this.driver = driver;
        this.url = url;
    }

    static Driver driverFor(Dialect dialect, String url) throws SQLException {
        if (dialect == Dialect.H2) {
            return new org.h2.Driver();
        }
        String name = "org.postgresql.Driver";
        for (ClassLoader loader : new ClassLoader[] {DriverDataSource.class.getClassLoader(),
                Thread.currentThread().getContextClassLoader()}) {
            if (loader == null) {
                continue;
            }
            try {
                return (Driver) Class.forName(name, true, loader).getDeclaredConstructor().newInstance();
            } catch (ClassNotFoundException e) {
                // try the next loader
            } catch (ReflectiveOperationException e) {
                throw new SQLException("Cannot load the PostgreSQL driver", e);
            }
        }
        try {
            return DriverManager.getDriver(url);
        } catch (SQLException e) {
            throw new SQLException("The PostgreSQL JDBC driver (org.postgresql:postgresql) is not installed:"
                    + " neither on the class path nor as a bundle exporting org.postgresql", e);
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return getConnection(null, null);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        Properties info = new Properties();
        if (username != null) {
            info.setProperty("user", username);
        }
        if (password != null) {
            info.setProperty("password", password);
        }
        Connection c = driver.connect(url, info);
        if (c == null) {
            throw new SQLException("The driver does not accept " + SqlUrl.redact(url));
        }
        return c;
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // no driver logging
    }

    @Override
    public void setLoginTimeout(int seconds) {
        loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("Not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}
