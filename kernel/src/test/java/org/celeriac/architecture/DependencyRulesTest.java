package org.celeriac.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Which packages may depend on which: the SPI on nothing, the codec on no engine part, the OSGi framework API
 * only in the OSGi adapter, SnakeYAML only in the schedule file reader, no cycles.
 */
class DependencyRulesTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.celeriac");

    @Test
    void spiAndTaskApiDependOnTheJdkAlone() {
        classes().that().resideInAnyPackage("org.celeriac.spi..", "org.celeriac.task..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "org.osgi.annotation..", "org.celeriac.spi..", "org.celeriac.task..")
                .check(CLASSES);
    }

    @Test
    void protocolCodecKnowsNothingOfTheEngine() {
        noClasses().that().resideInAPackage("org.celeriac.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("org.celeriac.worker..", "org.celeriac.client..",
                        "org.celeriac.app..", "org.celeriac.registry..", "org.celeriac.memory..")
                .check(CLASSES);
    }

    @Test
    void inMemoryPluginIsReachedOnlyThroughServiceDiscovery() {
        noClasses().that().resideOutsideOfPackage("org.celeriac.memory..")
                .should().dependOnClassesThat().resideInAPackage("org.celeriac.memory..")
                .check(CLASSES);
    }

    @Test
    void onlyTheOsgiAdapterUsesTheFrameworkApi() {
        // Annotations (org.osgi.annotation.., DS's component annotations) are fine anywhere: they vanish at run time.
        noClasses().that().resideOutsideOfPackage("org.celeriac.osgi..")
                .should().dependOnClassesThat(
                        resideInAnyPackage("org.osgi.framework..", "org.osgi.util..", "org.osgi.service..")
                                .and(not(resideInAPackage("org.osgi.service.component.annotations.."))))
                .check(CLASSES);
    }

    @Test
    void onlyTheScheduleFileUsesSnakeYaml() {
        // SnakeYAML is an optional import of the kernel bundle: any other user would fail where it is not installed.
        noClasses().that().doNotHaveFullyQualifiedName("org.celeriac.beat.ScheduleFile")
                .should().dependOnClassesThat().resideInAPackage("org.yaml.snakeyaml..")
                .check(CLASSES);
    }

    @Test
    void nothingDependsOnTheOsgiAdapter() {
        noClasses().that().resideOutsideOfPackage("org.celeriac.osgi..")
                .should().dependOnClassesThat().resideInAPackage("org.celeriac.osgi..")
                .check(CLASSES);
    }

    @Test
    void workerAndClientAreIndependent() {
        noClasses().that().resideInAPackage("org.celeriac.worker..")
                .should().dependOnClassesThat().resideInAPackage("org.celeriac.client..")
                .check(CLASSES);
        noClasses().that().resideInAPackage("org.celeriac.client..")
                .should().dependOnClassesThat().resideInAPackage("org.celeriac.worker..")
                .check(CLASSES);
    }

    @Test
    void eventsKnowNothingOfWorkersClientsOrRemoteControl() {
        noClasses().that().resideInAPackage("org.celeriac.events..")
                .should().dependOnClassesThat().resideInAnyPackage("org.celeriac.worker..", "org.celeriac.client..",
                        "org.celeriac.control..", "org.celeriac.app..", "org.celeriac.registry..")
                .check(CLASSES);
    }

    @Test
    void remoteControlAndClientAreIndependent() {
        noClasses().that().resideInAPackage("org.celeriac.control..")
                .should().dependOnClassesThat().resideInAPackage("org.celeriac.client..")
                .check(CLASSES);
        noClasses().that().resideInAPackage("org.celeriac.client..")
                .should().dependOnClassesThat().resideInAPackage("org.celeriac.control..")
                .check(CLASSES);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("org.celeriac.(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
