/** The start-up floor check_rlimit is measured against: a JVM that prints one line. */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) {
        System.out.println("hello");
    }
}
